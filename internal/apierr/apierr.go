// Package apierr is the error type every layer returns and the central error
// handler writes: an HTTP status, a message safe to show, and the upstream
// that failed. Adapters build it from upstream failures; handlers from bad
// input; nothing else decides a status.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error with the status and message a client should see.
type Error struct {
	Status   int
	Message  string
	Upstream string // "incus", "portworx", "capi"; empty for the facade's own errors
	Err      error  // the cause, for logs; never shown to clients
	// Answered is the upstream's own HTTP status when the error is its
	// answer; 0 when it gave none (unreachable, timed out, TLS refused, a
	// body that is not its API). The circuit breakers tell a failing
	// upstream from one that refused a request by it.
	Answered int
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a facade error with a formatted message.
func New(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// BadRequest is a 400 naming what is wrong with the request.
func BadRequest(format string, args ...any) *Error {
	return New(http.StatusBadRequest, format, args...)
}

// Upstream returns an error attributed to an upstream.
func Upstream(upstream string, status int, cause error, format string, args ...any) *Error {
	return &Error{Status: status, Upstream: upstream, Err: cause, Message: fmt.Sprintf(format, args...)}
}

// WithAnswer records the upstream's own status (see Error.Answered).
func (e *Error) WithAnswer(status int) *Error {
	e.Answered = status
	return e
}

// From returns err as an *Error; anything unclassified is a 500 whose
// message hides the cause (which may hold secrets) but the log keeps.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
}
