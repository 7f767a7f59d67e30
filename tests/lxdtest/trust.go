package lxdtest

import (
	"encoding/base64"
	"encoding/pem"

	"github.com/lxc/incus/v6/shared/api"
)

// ServerCert returns the PEM certificate the daemon serves HTTPS with on
// Addr (the cluster certificate once clustered), for a client to pin.
func (d *Daemon) ServerCert() string {
	d.t.Helper()
	srv, _, err := d.Client().GetServer()
	if err != nil {
		d.fatalf("get server: %v", err)
	}
	return srv.Environment.Certificate
}

// Trust adds a PEM client certificate to the daemon's trust store, as
// `incus config trust add-certificate` (`lxc config trust add`) does, so a
// client presenting it over HTTPS is an administrator.
func (d *Daemon) Trust(name, certPEM string) {
	d.t.Helper()
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil {
		d.fatalf("trust %s: not a PEM certificate", name)
	}
	err := d.Client().CreateCertificate(api.CertificatesPost{CertificatePut: api.CertificatePut{
		Name: name, Type: api.CertificateTypeClient, Certificate: base64.StdEncoding.EncodeToString(block.Bytes),
	}})
	if err != nil {
		d.fatalf("trust %s: %v", name, err)
	}
}
