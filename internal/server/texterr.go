package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/clustergate/clustergate/internal/vocab"
)

// JSONErrors gives the error answers of a handler that writes them as text
// (http.Error: the MCP listener's mux and the MCP SDK's transport, e.g. 404,
// 405, 413, 415) the facade's one JSON error shape. Success answers,
// streams and 401/403 pass through untouched.
func JSONErrors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jw := &jsonErrWriter{ResponseWriter: w}
		h.ServeHTTP(jw, r)
		if !jw.capturing {
			return
		}
		msg := strings.TrimSpace(jw.text.String())
		if jw.status == http.StatusNotFound && msg == "404 page not found" {
			msg = "no such route"
		}
		body, _ := json.Marshal(vocab.ErrorBody{Status: jw.status, Message: msg})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Del("Content-Length")
		w.WriteHeader(jw.status)
		_, _ = w.Write(body)
	})
}

// jsonErrWriter holds back a text/plain error answer for JSONErrors.
type jsonErrWriter struct {
	http.ResponseWriter
	status    int
	capturing bool
	started   bool
	text      bytes.Buffer
}

func (w *jsonErrWriter) WriteHeader(code int) {
	if !w.started && code >= 400 && !authAnswer(code) && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.status, w.capturing = code, true
	}
	w.started = true
	if !w.capturing {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *jsonErrWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.capturing {
		return w.text.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// authAnswer says whether code is the listener's authentication or
// authorization refusal (401, 403): those are the MCP auth layer's to shape
// (bearer challenge, Origin and Host checks), and are left as it writes them.
func authAnswer(code int) bool {
	return code == http.StatusUnauthorized || code == http.StatusForbidden
}

// Flush keeps server-sent event streams flowing.
func (w *jsonErrWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.capturing {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *jsonErrWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
