package server

import (
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/catalog"
)

// mediaType answers 415 when a request's body is not of a media type its
// operation accepts, as the facade specs declare; the request validator
// would call it a 400, which tells a client to fix the wrong thing.
func mediaType(routes map[string]catalog.Op) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			op, ok := routes[r.Method+" "+c.Path()]
			if !ok || !hasBody(r) || op.Operation.RequestBody == nil || op.Operation.RequestBody.Value == nil {
				return next(c)
			}
			accepted := op.Operation.RequestBody.Value.Content
			mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
			if err == nil && accepted.Get(mt) != nil {
				return next(c)
			}
			want := make([]string, 0, len(accepted))
			for k := range accepted {
				want = append(want, k)
			}
			sort.Strings(want)
			return apierr.New(http.StatusUnsupportedMediaType, "Content-Type %q is not accepted by %s: send %s",
				r.Header.Get(echo.HeaderContentType), op.OperationID, strings.Join(want, " or "))
		}
	}
}

func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
}
