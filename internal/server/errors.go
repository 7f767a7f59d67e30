package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/vocab"
)

// errorHandler is the one place an error becomes an HTTP answer: apierr
// errors keep their status and message, Echo's own (routing, validation,
// binding) keep theirs, and anything else is a 500 whose cause is logged,
// not shown.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := toAPIError(err)
		c.Set(ctxUpstream, e.Upstream)
		if e.Status >= 500 && e.Err != nil {
			attrs := []slog.Attr{slog.String("request_id", requestID(c)), slog.Int("status", e.Status), slog.String("error", e.Message)}
			// The message often quotes its cause already: say it once.
			if cause := e.Err.Error(); !strings.Contains(e.Message, cause) {
				attrs = append(attrs, slog.String("cause", cause))
			}
			log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed", attrs...)
		}
		body := vocab.ErrorBody{Status: e.Status, Message: e.Message, Upstream: e.Upstream, RequestID: requestID(c)}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(e.Status)
			return
		}
		_ = c.JSON(e.Status, body)
	}
}

func toAPIError(err error) *apierr.Error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := fmt.Sprint(he.Message)
		if he.Code == http.StatusNotFound && msg == "Not Found" {
			msg = "no such route"
		}
		return &apierr.Error{Status: he.Code, Message: msg, Err: he.Internal}
	}
	return apierr.From(err)
}
