package strictjson

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{`{}`, `{"a":{"b":[1,{"c":2}]}} `, `"s"`, `[{"a":1},{"a":1}]`,
		`"\ud83d\ude00 \u00e9 \\ud800"`, // a pair, a BMP escape, an escaped backslash
	} {
		assert.NoError(t, Check([]byte(ok), "body"), ok)
	}
	for in, want := range map[string]string{
		"{\"a\":\"\xff\"}":              "body is not valid UTF-8 (bad byte at offset 6)",
		`{"a":1} {"a":2}`:               "body has data after its JSON value",
		`{"a":1,"a":2}`:                 `body repeats the key "a" in the top-level object`,
		`{"x":{"a/b":1,"a/b":2}}`:       `body repeats the key "a/b" in the object at /x`,
		`{"x":[{"k":1},{"k":1,"k":2}]}`: `in the object at /x/1`,
		`{"a":`:                         "body is not valid JSON",
	} {
		err := Check([]byte(in), "body")
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), want, in)
		}
	}
}

// FuzzCheck: Check never panics, and what it accepts encoding/json accepts.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `"\ud800"`, `[1,2] 3`, "\"\xff\"", `{"a":"\\u"}`, `"\ud83d\ude00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if Check(raw, "body") == nil && !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
	})
}

// BenchmarkCheck: the cost strict input adds to a typical member PATCH body.
func BenchmarkCheck(b *testing.B) {
	body := []byte(`{"description":"rack 4","config":{"scheduler.instance":"all","user.rack":"4"},"roles":["database"],"failure_domain":"default","groups":["default","gpu"]}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := Check(body, "body"); err != nil {
			b.Fatal(err)
		}
	}
}
