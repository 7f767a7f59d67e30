package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/strictjson"
)

// bodyLimit refuses a request body over limit bytes with a 413 naming the
// limit, whether the body declared its length or was sent chunked (the
// chunked case is only known while reading: strictInput reads it).
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > limit {
				return tooLarge(limit)
			}
			if req.Body != nil && req.Body != http.NoBody {
				req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			}
			return next(c)
		}
	}
}

func tooLarge(limit int64) error {
	return apierr.New(http.StatusRequestEntityTooLarge,
		"request body is larger than the limit of %d bytes (CLUSTERGATE_MAX_BODY_BYTES)", limit)
}

// strictInput checks the body of every operation of ops that takes one,
// before the schema validator sees it: the Content-Type must be one the spec
// lists (415), the body must fit the limit (413), be valid UTF-8, hold one
// JSON value and nothing after it, and repeat no key in any object (400).
// Go's decoder would otherwise replace bad bytes, keep the last duplicate and
// ignore trailing data: input dropped without a word. Unknown fields are the
// validator's job: the facade specs close request objects.
func strictInput(ops []catalog.Op) echo.MiddlewareFunc {
	media := map[string][]string{}
	for _, op := range ops {
		if rb := op.Operation.RequestBody; rb != nil && rb.Value != nil {
			media[op.Key()] = sortedMedia(rb.Value.Content)
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			want, ok := byRoute(media, c)
			if !ok {
				return next(c)
			}
			if err := checkBody(c.Request(), want); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// checkBody reads the body, checks it, and puts it back for the validator
// and the handler.
func checkBody(req *http.Request, want []string) error {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return readFailed(err)
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	req.ContentLength = int64(len(raw))
	if len(raw) == 0 && req.Header.Get(echo.HeaderContentType) == "" {
		return nil // the validator says whether a body is required
	}
	if err := checkMedia(req.Header.Get(echo.HeaderContentType), want); err != nil {
		return err
	}
	if err := strictjson.Check(raw, "request body"); err != nil {
		return apierr.New(http.StatusBadRequest, "%v", err)
	}
	return nil
}

// readFailed is the refusal of a body that could not be read (apart from
// checkBody so that its errors.As target, which escapes, is allocated only
// on failure: it was an allocation per request with a body).
func readFailed(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge(tooBig.Limit)
	}
	return apierr.New(http.StatusBadRequest, "reading the request body failed: %v", err)
}

func checkMedia(got string, want []string) error {
	mt, _, err := mime.ParseMediaType(got)
	for _, w := range want {
		if err == nil && strings.EqualFold(mt, w) {
			return nil
		}
	}
	if got == "" {
		got = "none"
	}
	return apierr.New(http.StatusUnsupportedMediaType, "Content-Type must be %s (got %s)", strings.Join(want, " or "), got)
}

func sortedMedia[V any](content map[string]V) []string {
	out := make([]string, 0, len(content))
	for k := range content {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
