package capi

import (
	"context"
	"errors"
	"fmt"
	"slices"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
)

// conflictMessage is the API server's reason for a write on a stale
// resourceVersion (the fake client says only "object was modified").
const conflictMessage = "the object has been modified; please apply your changes to the latest version and try again"

// newAPI builds the in-memory API: the fake store, and the adapter reading
// and writing it through the interceptors that make it answer like a real
// API server.
func newAPI(s *Sandbox) (client.WithWatch, *capiadapter.Adapter) {
	scheme := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(scheme))
	utilruntime.Must(autoscalingv1.AddToScheme(scheme))
	utilruntime.Must(clusterv1.AddToScheme(scheme))
	// With status subresources, creates and updates ignore status, as the
	// Cluster API CRDs make a real API server do; controllers use Status().
	store := fake.NewClientBuilder().WithScheme(scheme).
		WithStatusSubresource(&clusterv1.Cluster{}, &clusterv1.MachineDeployment{}, &clusterv1.Machine{}).
		WithObjects(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}).
		Build()
	api := interceptor.NewClient(store, interceptor.Funcs{
		Create: s.admit,
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			return apiConflict(c.Patch(ctx, obj, patch, opts...))
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			return apiConflict(c.Update(ctx, obj, opts...))
		},
	})
	return store, adapterOn(api)
}

// admit does on create what a real API server does and the fake client does
// not: refuse invalid names and missing namespaces, refuse a dry run whose
// name is taken, and stamp the uid and creation time.
func (s *Sandbox) admit(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
	gvk, err := apiutil.GVKForObject(obj, c.Scheme())
	if err != nil {
		return err
	}
	om, ok := obj.(metav1.ObjectMetaAccessor)
	if !ok {
		return fmt.Errorf("sandbox: %T has no object metadata", obj)
	}
	namespaced := obj.GetNamespace() != ""
	errs := apimachineryvalidation.ValidateObjectMeta(om.GetObjectMeta().(*metav1.ObjectMeta), namespaced,
		apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	if len(errs) > 0 {
		return apierrors.NewInvalid(gvk.GroupKind(), obj.GetName(), errs)
	}
	if namespaced {
		if err := c.Get(ctx, types.NamespacedName{Name: obj.GetNamespace()}, &corev1.Namespace{}); err != nil {
			return err // the fake's NotFound reads as the API server's: namespaces "x" not found
		}
	}
	o := client.CreateOptions{}
	o.ApplyOptions(opts)
	if slices.Contains(o.DryRun, metav1.DryRunAll) { // the fake skips every check on a dry run
		existing := obj.DeepCopyObject().(client.Object)
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), existing); err == nil {
			gvr, _ := meta.UnsafeGuessKindToResource(gvk) // as the fake client names resources
			return apierrors.NewAlreadyExists(gvr.GroupResource(), obj.GetName())
		}
	}
	s.seq++
	obj.SetUID(types.UID(fmt.Sprintf("5a4db0c5-0000-4000-8000-%012x", s.seq)))
	obj.SetCreationTimestamp(metav1.NewTime(s.now().Add(-s.backdate).UTC().Truncate(1e9)))
	obj.SetGeneration(1)
	return c.Create(ctx, obj, opts...)
}

// apiConflict gives a conflict the real API server's message, which callers
// (and the adapter's tests) recognize.
func apiConflict(err error) error {
	var se *apierrors.StatusError
	if !apierrors.IsConflict(err) || !errors.As(err, &se) || se.ErrStatus.Details == nil {
		return err
	}
	d := se.ErrStatus.Details // NewConflict puts the resource in Kind
	return apierrors.NewConflict(schema.GroupResource{Group: d.Group, Resource: d.Kind}, d.Name, errors.New(conflictMessage))
}

// adapterOn returns adapters/capi's Adapter working on c.
func adapterOn(c client.Client) *capiadapter.Adapter {
	return capiadapter.NewWithClient(capiadapter.Config{}, c)
}
