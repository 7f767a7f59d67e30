// Package strictjson checks that a JSON document says exactly one thing:
// encoding/json accepts invalid UTF-8, repeated keys and trailing data
// without a word, and input dropped that way is input silently lost.
package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Check refuses what encoding/json would accept silently: invalid UTF-8 and
// a lone surrogate escape such as "\ud800" (both replaced by U+FFFD), a
// repeated key (the last one wins), and data after the value (ignored by a
// Decoder). what names the document in the error ("request body"). The
// common case, a good document, costs a json.Valid and one pass of keys.
func Check(raw []byte, what string) error {
	if !utf8.Valid(raw) {
		return fmt.Errorf("%s is not valid UTF-8 (bad byte at offset %d)", what, firstInvalid(raw))
	}
	if !json.Valid(raw) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s is not valid JSON: %v", what, err)
		}
		return fmt.Errorf("%s has data after its JSON value (at offset %d); send one JSON value", what, dec.InputOffset())
	}
	if off, bad := loneSurrogate(raw); bad {
		return fmt.Errorf("%s has a \\u escape that is half of a UTF-16 pair (at offset %d); it would be replaced by U+FFFD", what, off)
	}
	sc := scanner{raw: raw, what: what}
	return sc.value("")
}

// scanner walks a document json.Valid accepted, looking only for repeated
// keys: syntax needs no second check.
type scanner struct {
	raw  []byte
	i    int
	what string
}

func (s *scanner) ws() {
	for s.i < len(s.raw) && (s.raw[s.i] == ' ' || s.raw[s.i] == '\t' || s.raw[s.i] == '\n' || s.raw[s.i] == '\r') {
		s.i++
	}
}

// value reads one value; path is its JSON pointer, for the message.
func (s *scanner) value(path string) error {
	s.ws()
	switch s.raw[s.i] {
	case '{':
		return s.object(path)
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.ws()
			if s.raw[s.i] == ']' {
				s.i++
				return nil
			}
			if err := s.value(path + "/" + strconv.Itoa(n)); err != nil {
				return err
			}
			s.ws()
			if s.raw[s.i] == ',' {
				s.i++
			}
		}
	case '"':
		s.str()
	default: // a number or literal runs to the next delimiter
		for s.i < len(s.raw) && !strings.ContainsRune(",}] \t\n\r", rune(s.raw[s.i])) {
			s.i++
		}
	}
	return nil
}

func (s *scanner) object(path string) error {
	s.i++
	var keys []string // objects are small: a list beats a map
	for {
		s.ws()
		switch s.raw[s.i] {
		case '}':
			s.i++
			return nil
		case ',':
			s.i++
			continue
		}
		key := s.str()
		for _, k := range keys {
			if k == key {
				return fmt.Errorf("%s repeats the key %q in %s; send each field once", s.what, key, pointer(path))
			}
		}
		keys = append(keys, key)
		s.ws()
		s.i++ // the colon
		if err := s.value(path + "/" + escapePointer(key)); err != nil {
			return err
		}
	}
}

// str reads a string at s.i and returns its value.
func (s *scanner) str() string {
	start := s.i
	s.i++
	escaped := false
	for s.raw[s.i] != '"' {
		if s.raw[s.i] == '\\' {
			escaped = true
			s.i++
		}
		s.i++
	}
	s.i++
	if !escaped {
		return string(s.raw[start+1 : s.i-1])
	}
	var v string
	_ = json.Unmarshal(s.raw[start:s.i], &v) // valid: json.Valid said so
	return v
}

func pointer(path string) string {
	if path == "" {
		return "the top-level object"
	}
	return "the object at " + path
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapePointer(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return pointerEscaper.Replace(key)
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
