package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Only net/http's own refusals are rewritten: a handler's text/plain answer
// (headers sorted, Date set) never matches.
func TestNetHTTPRefusalIsRecognisedExactly(t *testing.T) {
	status, text, ok := netHTTPRefusal([]byte("HTTP/1.1 400 Bad Request" + netHTTPErrorHeaders + "400 Bad Request"))
	assert.True(t, ok)
	assert.Equal(t, 400, status)
	assert.Equal(t, "Bad Request", refusalMessage(status, text, nil))
	assert.Equal(t, `bad request target: invalid URL escape "%zz"`,
		refusalMessage(400, text, []byte("GET /a%zzb HTTP/1.1\r\nHost: x\r\n")))
	for _, normal := range []string{
		"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Sun, 29 Nov 2026 04:00:00 GMT\r\n\r\nno",
		"HTTP/1.1 200 OK\r\nX: y" + netHTTPErrorHeaders + "body",
		"partial body " + netHTTPErrorHeaders,
	} {
		_, _, ok := netHTTPRefusal([]byte(normal))
		assert.False(t, ok, normal)
	}
}
