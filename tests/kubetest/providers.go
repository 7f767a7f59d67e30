package kubetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ContractLabel marks a provider CRD as implementing Cluster API's v1beta2
// contract with its v1beta2 version. clusterctl adds it from the release
// manifests; the CRDs in the modules lack it, and without it the ClusterClass
// controller refuses the templates ("contract version label(s) are either
// missing").
const ContractLabel = "cluster.x-k8s.io/v1beta2"

// moduleDir downloads module@version (the Go module cache keeps it) and
// returns its folder. It runs in tests/upstreams/capi, whose versions these
// are, with no go.work.
func moduleDir(module string) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = filepath.Join(filepath.Dir(file), "..", "upstreams", "capi")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	_ = json.Unmarshal(out, &info)
	switch {
	case info.Error != "":
		return "", fmt.Errorf("go mod download %s: %s", module, info.Error)
	case err != nil:
		return "", fmt.Errorf("go mod download %s: %w: %s", module, err, stderr.String())
	}
	return info.Dir, nil
}

// capiDirs are the folders of sigs.k8s.io/cluster-api and
// sigs.k8s.io/cluster-api/test at the version of the manager.
func capiDirs() (core, test string, err error) {
	v, err := CAPIVersion()
	if err != nil {
		return "", "", err
	}
	if core, err = moduleDir("sigs.k8s.io/cluster-api@" + v); err != nil {
		return "", "", err
	}
	test, err = moduleDir("sigs.k8s.io/cluster-api/test@" + v)
	return core, test, err
}

// providerCRDs reads the CRDs of the kubeadm bootstrap and control-plane
// providers and of the docker infrastructure provider, with ContractLabel.
func providerCRDs(core, test string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	globs := []string{
		filepath.Join(core, "bootstrap", "kubeadm", "config", "crd", "bases", "*.yaml"),
		filepath.Join(core, "controlplane", "kubeadm", "config", "crd", "bases", "*.yaml"),
		filepath.Join(test, "infrastructure", "docker", "config", "crd", "bases", "infrastructure.cluster.x-k8s.io_docker*.yaml"),
	}
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		if len(files) == 0 {
			return nil, fmt.Errorf("no provider CRDs match %s", g)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := utilyaml.Unmarshal(raw, crd); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if crd.Labels == nil {
				crd.Labels = map[string]string{}
			}
			crd.Labels[ContractLabel] = "v1beta2"
			out = append(out, crd)
		}
	}
	return out, nil
}

// webhookOptions reads the core manager's webhook configurations from the
// module and points each at https://127.0.0.1:<port><path>, where the
// manager will serve them, as a Service in front of it would in a real
// management cluster. envtest then makes a CA and a serving certificate for
// 127.0.0.1 (into LocalServingCertDir, as tls.crt and tls.key, where
// --webhook-cert-dir looks), sets the CA as every webhook's caBundle and
// registers the configurations.
func webhookOptions(core string) (*envtest.WebhookInstallOptions, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	o := &envtest.WebhookInstallOptions{LocalServingHost: "127.0.0.1", LocalServingPort: port}
	base := fmt.Sprintf("https://127.0.0.1:%d", port)
	if err := readWebhooks(filepath.Join(core, "core", "config", "webhook", "manifests.yaml"), base, o); err != nil {
		return nil, err
	}
	return o, nil
}

// readWebhooks decodes the manifests' webhook configurations into o, each
// client config rewritten from the in-cluster service to base+path.
func readWebhooks(path, base string, o *envtest.WebhookInstallOptions) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		var doc json.RawMessage
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		var head struct{ Kind string }
		if err := json.Unmarshal(doc, &head); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		switch head.Kind {
		case "MutatingWebhookConfiguration":
			w := &admissionv1.MutatingWebhookConfiguration{}
			if err := json.Unmarshal(doc, w); err != nil {
				return err
			}
			for i := range w.Webhooks {
				pointAt(&w.Webhooks[i].ClientConfig, base)
			}
			o.MutatingWebhooks = append(o.MutatingWebhooks, w)
		case "ValidatingWebhookConfiguration":
			w := &admissionv1.ValidatingWebhookConfiguration{}
			if err := json.Unmarshal(doc, w); err != nil {
				return err
			}
			for i := range w.Webhooks {
				pointAt(&w.Webhooks[i].ClientConfig, base)
			}
			o.ValidatingWebhooks = append(o.ValidatingWebhooks, w)
		}
	}
	if len(o.MutatingWebhooks) == 0 || len(o.ValidatingWebhooks) == 0 {
		return fmt.Errorf("%s: no mutating or no validating webhook configuration", path)
	}
	return nil
}

func pointAt(cc *admissionv1.WebhookClientConfig, base string) {
	path := ""
	if cc.Service != nil && cc.Service.Path != nil {
		path = *cc.Service.Path
	}
	url := base + "/" + strings.TrimPrefix(path, "/")
	cc.URL, cc.Service = &url, nil
}

// servingCert is a self-signed CA certificate and key for host, valid for
// a day.
func servingCert(host string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host, Organization: []string{"clustergate-tests"}},
		NotBefore:    time.Now().Add(-time.Minute), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:        true, BasicConstraintsValid: true,
		IPAddresses: []net.IP{net.ParseIP(host)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}
