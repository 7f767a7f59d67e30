package incus

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	segjson "github.com/segmentio/encoding/json"
)

// maxAnswer bounds what a read takes from the upstream: far above any
// cluster's answer (a member is ~1 KB), a guard against an endless body.
const maxAnswer = 64 << 20

// answerBufs keeps the buffers answers are read into between requests.
var answerBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// decodeAnswer reads an upstream answer whole and decodes it into v.
//
// It decodes with github.com/segmentio/encoding/json, a drop-in for
// encoding/json (same struct tags, same case-insensitive field matching,
// unknown fields ignored) already in the module graph through the MCP SDK:
// decoding the answers was the largest single cost of a served read
// (BenchmarkHandler, see the commit that added this). Its Unmarshal is used,
// not its Decoder, which allocates a large read buffer per use; the answer
// is read into a pooled buffer first.
func decodeAnswer(body io.Reader, v any) error {
	buf := answerBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // a rare huge answer is not kept
			buf.Reset()
			answerBufs.Put(buf)
		}
	}()
	n, err := buf.ReadFrom(io.LimitReader(body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	if n > maxAnswer {
		return fmt.Errorf("the answer is larger than %d MB", maxAnswer>>20)
	}
	return segjson.Unmarshal(buf.Bytes(), v)
}
