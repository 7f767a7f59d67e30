package mcp

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clustergate/clustergate/internal/vocab"
)

// outcome turns the in-process answer into the agent's result: the body as
// structuredContent and as JSON text on success; on failure an error result
// with the status and the (upstream's) message.
func (c *Caller) outcome(t *Tool, rec *recorder) Outcome {
	body := rec.body.Bytes()
	o := Outcome{Status: rec.status}
	if rec.status < 200 || rec.status > 299 {
		o.IsError = true
		o.Text = errorText(rec.status, body)
		return c.capped(o)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		o.Text = fmt.Sprintf("done (HTTP %d)", rec.status)
		if loc := rec.header.Get("Location"); loc != "" {
			o.Text += "; location " + loc
		}
		return o
	}
	if !json.Valid(body) {
		o.Text = string(body)
		return c.capped(o)
	}
	// The body is handed on as raw JSON: decoding it here only for the SDK
	// to encode it again doubled the cost of a tool call's result.
	structured := json.RawMessage(body)
	if t.wrapKey != "" {
		structured = json.RawMessage(`{"` + t.wrapKey + `":` + strings.TrimSpace(string(body)) + `}`)
	}
	if t.OutputSchema != nil {
		o.Structured = structured
	}
	o.Text = string(body)
	if rec.status == 202 {
		o.Text = "still running (HTTP 202); poll it with get-operation: " + o.Text
	}
	return c.capped(o)
}

func errorText(status int, body []byte) string {
	var e vocab.ErrorBody
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return fmt.Sprintf("HTTP %d: %s", status, strings.TrimSpace(string(body)))
	}
	if e.Upstream != "" {
		return fmt.Sprintf("HTTP %d from %s: %s", status, e.Upstream, e.Message)
	}
	return fmt.Sprintf("HTTP %d: %s", status, e.Message)
}

// capped cuts an oversized result with an explicit marker. The structured
// copy is dropped then too: a cut document would not match the schema.
func (c *Caller) capped(o Outcome) Outcome {
	if c.MaxResult <= 0 || len(o.Text) <= c.MaxResult {
		return o
	}
	omitted := len(o.Text) - c.MaxResult
	o.Text = o.Text[:c.MaxResult] + fmt.Sprintf("\n…[clustergate: result truncated, %d more bytes omitted; narrow the request]", omitted)
	o.Structured, o.Truncated = nil, true
	return o
}
