// Package ptr converts between values and the optional (pointer) fields of
// the generated models, where nil means "not set".
package ptr

// Deref returns *p, or the zero value when p is nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// NonZero returns &v, or nil when v is the zero value, so an empty upstream
// field is left out of the answer rather than sent as "".
func NonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
