package ptr

import "testing"

func TestDerefAndNonZero(t *testing.T) {
	if Deref[string](nil) != "" || Deref(NonZero("x")) != "x" {
		t.Fatal("Deref must undo NonZero and give the zero value for nil")
	}
	if NonZero(0) != nil || NonZero("") != nil {
		t.Fatal("NonZero of a zero value must be nil")
	}
}
