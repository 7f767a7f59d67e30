package incus

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeAnswerDecodesAsEncodingJSON: the answers are decoded with
// segmentio's drop-in; what the handlers get must be what encoding/json
// gives for the same bytes, Incus's quirks included (nulls, unknown fields,
// escapes, keys in another case, an error answer).
func TestDecodeAnswerDecodesAsEncodingJSON(t *testing.T) {
	answers := map[string]string{
		"member": `{"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,"error":"",` +
			`"metadata":{"server_name":"n1","url":"https://10.0.0.1:8443","database":true,"status":"Online",` +
			`"message":"Fully operational","architecture":"x86_64","failure_domain":"default","description":"rack \u00e9 \"2\"",` +
			`"config":{"scheduler.instance":"all"},"groups":["default"],"roles":["database-leader","database"]}}`,
		"nulls and unknown fields": `{"type":"sync","metadata":{"server_name":"n2","config":null,"groups":null,"roles":[],` +
			`"new_field":{"nested":[1,2,3]},"Description":"other case"}}`,
		"error answer": `{"type":"error","error":"Cluster member not found","error_code":404,"metadata":null}`,
	}
	for name, body := range answers {
		t.Run(name, func(t *testing.T) {
			var want, got envelope[api.ClusterMember]
			want.Metadata, got.Metadata = &api.ClusterMember{}, &api.ClusterMember{}
			require.NoError(t, json.Unmarshal([]byte(body), &want))
			require.NoError(t, decodeAnswer(strings.NewReader(body), &got))
			assert.Equal(t, want, got)
		})
	}
}

// TestDecodeAnswerRefusesWhatIsNotAnAnswer: a body that is not JSON, or cut
// short, is an error, never a zero value.
func TestDecodeAnswerRefusesWhatIsNotAnAnswer(t *testing.T) {
	for _, body := range []string{"", "<html>502 Bad Gateway</html>", `{"type":"sync","metadata":{"server_name":"n1"`} {
		env := envelope[api.ClusterMember]{Metadata: &api.ClusterMember{}}
		assert.Error(t, decodeAnswer(strings.NewReader(body), &env), "%q", body)
	}
}
