package server

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/catalog"
)

// locate gives every 202 of ops a Location on the facade: the URL of the
// operation its OpenAPI link names (an Incus operation, a provisioning
// cluster), filled from the request's path and the 202 body. Only answers
// of operations with a link are held back, and only until the handler
// returns; they are small.
func locate(ops []catalog.Op) echo.MiddlewareFunc {
	follows := map[string]*catalog.Follow{}
	for _, op := range ops {
		if op.Follow != nil {
			follows[op.Key()] = op.Follow
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			f, _ := byRoute(follows, c)
			if f == nil {
				return next(c)
			}
			res := c.Response()
			real := res.Writer
			held := &heldWriter{header: real.Header()}
			res.Writer = held
			err := next(c)
			res.Writer = real
			if !held.wrote {
				return err
			}
			if held.status == http.StatusAccepted {
				setLocation(c, ops, f, held.body.Bytes())
			}
			real.WriteHeader(held.status)
			_, werr := real.Write(held.body.Bytes())
			if err == nil {
				err = werr
			}
			return err
		}
	}
}

// setLocation sets Location from f, or leaves it unset when the 202 body
// lacks what the link needs (the answer itself is still right).
func setLocation(c echo.Context, ops []catalog.Op, f *catalog.Follow, body []byte) {
	path := map[string]string{}
	for i, n := range c.ParamNames() {
		path[n] = c.ParamValues()[i]
	}
	params, err := f.Resolve(path, body)
	target, ok := catalog.ByID(ops, f.OperationID)
	if err != nil || !ok {
		return
	}
	loc := target.URL(params)
	if name := c.QueryParam(UpstreamParam); name != "" { // the operation lives on that upstream
		loc += sep(loc) + UpstreamParam + "=" + url.QueryEscape(name)
	}
	c.Response().Header().Set(echo.HeaderLocation, loc)
}

// heldWriter keeps an answer until its headers are complete.
type heldWriter struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (h *heldWriter) Header() http.Header { return h.header }

func (h *heldWriter) WriteHeader(code int) {
	if !h.wrote {
		h.status, h.wrote = code, true
	}
}

func (h *heldWriter) Write(p []byte) (int, error) {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	return h.body.Write(p)
}

// sep is what joins one more query parameter to u.
func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}
