// Package strictjson checks that a JSON document says exactly one thing:
// encoding/json accepts invalid UTF-8, repeated keys and trailing data
// without a word, and input dropped that way is input silently lost.
package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Check refuses what encoding/json would accept silently: invalid UTF-8
// (replaced by U+FFFD), a repeated key (the last one wins), and data after
// the value (ignored by a Decoder). what names the document in the error
// ("request body").
func Check(raw []byte, what string) error {
	if !utf8.Valid(raw) {
		return fmt.Errorf("%s is not valid UTF-8 (bad byte at offset %d)", what, firstInvalid(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := walkJSON(dec, what, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s has data after its JSON value (at offset %d); send one JSON value", what, dec.InputOffset())
	}
	return nil
}

// walkJSON reads one value from dec, refusing repeated keys; path is the
// value's JSON pointer, for the message.
func walkJSON(dec *json.Decoder, what, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s is not valid JSON: %v", what, err)
	}
	switch tok {
	case json.Delim('{'):
		keys := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s is not valid JSON: %v", what, err)
			}
			key, _ := k.(string)
			if keys[key] {
				return fmt.Errorf("%s repeats the key %q in %s; send each field once", what, key, pointer(path))
			}
			keys[key] = true
			if err := walkJSON(dec, what, path+"/"+escapePointer(key)); err != nil {
				return err
			}
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := walkJSON(dec, what, fmt.Sprintf("%s/%d", path, i)); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return fmt.Errorf("%s is not valid JSON: %v", what, err)
	}
	return nil
}

func pointer(path string) string {
	if path == "" {
		return "the top-level object"
	}
	return "the object at " + path
}

func escapePointer(key string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
