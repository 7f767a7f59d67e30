// Package reshape copies a value into another type with the same JSON shape.
// The facade's generated models and the upstream clients' types both follow
// the upstream's wire format, so a JSON round trip maps one onto the other
// without a hand-written field list that would drift when upstream changes.
package reshape

import (
	"encoding/json"
	"fmt"
)

// Into copies src into dst (a pointer) through JSON.
func Into(dst, src any) error {
	raw, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("reshape %T: %w", src, err)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("reshape %T into %T: %w", src, dst, err)
	}
	return nil
}
