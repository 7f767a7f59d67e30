// Package strictjson checks that a JSON document says exactly one thing:
// encoding/json accepts invalid UTF-8, repeated keys and trailing data
// without a word, and input dropped that way is input silently lost.
package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Check refuses what encoding/json would accept silently: invalid UTF-8 and
// a lone surrogate escape such as "\ud800" (both replaced by U+FFFD), a repeated key (the last one wins), and data after
// the value (ignored by a Decoder). what names the document in the error
// ("request body").
func Check(raw []byte, what string) error {
	if !utf8.Valid(raw) {
		return fmt.Errorf("%s is not valid UTF-8 (bad byte at offset %d)", what, firstInvalid(raw))
	}
	if off, bad := loneSurrogate(raw); bad {
		return fmt.Errorf("%s has a \\u escape that is half of a UTF-16 pair (at offset %d); it would be replaced by U+FFFD", what, off)
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

// loneSurrogate finds a \uD800-\uDFFF escape in a string that is not a
// high half followed by a low half. raw is valid UTF-8; anything that is not
// JSON is left to the decoder.
func loneSurrogate(raw []byte) (int, bool) {
	if !bytes.Contains(raw, []byte(`\u`)) {
		return 0, false
	}
	inString := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(raw):
			if raw[i+1] != 'u' {
				i++ // a one-character escape
				continue
			}
			r, ok := hex4(raw, i+2)
			switch {
			case !ok || r < 0xD800 || r > 0xDFFF:
				i++
			case r >= 0xDC00:
				return i, true
			default:
				if low, ok := hex4(raw, i+8); !ok || raw[i+6] != '\\' || raw[i+7] != 'u' || low < 0xDC00 || low > 0xDFFF {
					return i, true
				}
				i += 11 // both halves
			}
		}
	}
	return 0, false
}

// hex4 reads four hex digits at raw[at:].
func hex4(raw []byte, at int) (rune, bool) {
	if at+4 > len(raw) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(raw[at:at+4]), 16, 16)
	return rune(v), err == nil
}
