package config

import "reflect"

func valueOf(s string) reflect.Value { return reflect.ValueOf(s) }

// flagsConfigure says whether the single-upstream flags of a surface were
// given: then they define the upstream named DefaultUpstream next to the
// file's entries.
func (c *Config) flagsConfigure(surface string) bool {
	switch surface {
	case "incus":
		return c.IsSet("incus-url") || c.IsSet("incus-socket")
	case "portworx":
		return c.IsSet("portworx-endpoint")
	case "capi":
		return c.IsSet("kubeconfig")
	}
	return false
}

// IncusUpstreams is every Incus upstream, default first: the file's entries,
// and the one the flags define (named DefaultUpstream) when they were given
// or the file lists none. Entries take the flags' values for what they
// leave out (wait).
func (c *Config) IncusUpstreams() []IncusUpstream {
	var out []IncusUpstream
	if c.flagsConfigure("incus") || len(c.Upstreams.Incus) == 0 {
		out = append(out, IncusUpstream{Common: Common{Name: DefaultUpstream, Flags: true},
			Socket: c.IncusSocket, URL: c.IncusURL, APIKey: c.IncusAPIKey, Wait: c.IncusWait,
			ClientCert: c.IncusClientCert, ClientKey: c.IncusClientKey, ServerCert: c.IncusServerCert})
	}
	for _, u := range c.Upstreams.Incus {
		if u.Wait == 0 {
			u.Wait = c.IncusWait
		}
		out = append(out, u)
	}
	return defaultFirst(out)
}

// PortworxUpstreams is every Portworx upstream, default first (see
// IncusUpstreams); entries take --portworx-timeout and --portworx-retries
// when they leave them out.
func (c *Config) PortworxUpstreams() []PortworxUpstream {
	var out []PortworxUpstream
	if c.flagsConfigure("portworx") || len(c.Upstreams.Portworx) == 0 {
		out = append(out, PortworxUpstream{Common: Common{Name: DefaultUpstream, Flags: true},
			Endpoint: c.PortworxEndpoint, APIKey: c.PortworxAPIKey, CAFile: c.PortworxCAFile,
			ClientCert: c.PortworxClientCert, ClientKey: c.PortworxClientKey, Timeout: c.PortworxTimeout,
			Retries: &c.PortworxRetries})
	}
	for _, u := range c.Upstreams.Portworx {
		if u.Timeout == 0 {
			u.Timeout = c.PortworxTimeout
		}
		if u.Retries == nil {
			u.Retries = &c.PortworxRetries
		}
		out = append(out, u)
	}
	return defaultFirst(out)
}

// CAPIUpstreams is every Cluster API management cluster, default first
// (see IncusUpstreams); entries take --capi-workload-timeout and
// --capi-impersonate when they leave them out.
func (c *Config) CAPIUpstreams() []CAPIUpstream {
	var out []CAPIUpstream
	if c.flagsConfigure("capi") || len(c.Upstreams.CAPI) == 0 {
		out = append(out, CAPIUpstream{Common: Common{Name: DefaultUpstream, Flags: true},
			Kubeconfig: c.Kubeconfig, Context: c.KubeContext, WorkloadTimeout: c.CAPIWorkloadTimeout,
			Impersonate: &c.CAPIImpersonate})
	}
	for _, u := range c.Upstreams.CAPI {
		if u.WorkloadTimeout == 0 {
			u.WorkloadTimeout = c.CAPIWorkloadTimeout
		}
		if u.Impersonate == nil {
			u.Impersonate = &c.CAPIImpersonate
		}
		out = append(out, u)
	}
	return defaultFirst(out)
}

// defaultFirst moves the entry that says default: true to the front; the
// first entry is the default otherwise.
func defaultFirst[T interface{ common() Common }](xs []T) []T {
	for i, x := range xs {
		if x.common().Default && i > 0 {
			out := append([]T{x}, xs[:i]...)
			return append(out, xs[i+1:]...)
		}
	}
	return xs
}
