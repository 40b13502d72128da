package main

import (
	"context"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiext "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// crd describes one of the Ant custom resources the guide works with. The group/version/resource
// names are the lab's defaults; a site file names the real ones.
type crd struct {
	gvr        schema.GroupVersionResource
	kind       string
	namespaced bool
}

var (
	machines     = crd{schema.GroupVersionResource{Group: "machine.sigma.alipay.com", Version: "v1", Resource: "machines"}, "Machine", false}
	machineOps   = crd{schema.GroupVersionResource{Group: "machine.sigma.alipay.com", Version: "v1", Resource: "machineops"}, "MachineOps", false}
	zones        = crd{schema.GroupVersionResource{Group: "adns.alipay.com", Version: "v1", Resource: "zones"}, "Zone", false}
	dnsEndpoints = crd{schema.GroupVersionResource{Group: "adns.alipay.com", Version: "v1", Resource: "dnsendpoints"}, "DNSEndpoint", true}
	dnsRecords   = crd{schema.GroupVersionResource{Group: "adns.alipay.com", Version: "v1", Resource: "dnsrecords"}, "DNSRecord", true}
	ipInstances  = crd{schema.GroupVersionResource{Group: "networking.alibaba.com", Version: "v1", Resource: "ipinstances"}, "IPInstance", true}
	allCRDs      = []crd{machines, machineOps, zones, dnsEndpoints, dnsRecords, ipInstances}
)

func ensureCRDs(ctx context.Context, c apiext.Interface) error {
	for _, d := range allCRDs {
		scope := apiextv1.ClusterScoped
		if d.namespaced {
			scope = apiextv1.NamespaceScoped
		}
		yes := true
		obj := &apiextv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: d.gvr.Resource + "." + d.gvr.Group},
			Spec: apiextv1.CustomResourceDefinitionSpec{
				Group: d.gvr.Group,
				Names: apiextv1.CustomResourceDefinitionNames{Plural: d.gvr.Resource, Kind: d.kind, ListKind: d.kind + "List"},
				Scope: scope,
				Versions: []apiextv1.CustomResourceDefinitionVersion{{
					Name: d.gvr.Version, Served: true, Storage: true,
					Schema:       &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &yes}},
					Subresources: &apiextv1.CustomResourceSubresources{Status: &apiextv1.CustomResourceSubresourceStatus{}},
					AdditionalPrinterColumns: []apiextv1.CustomResourceColumnDefinition{
						{Name: "Phase", Type: "string", JSONPath: ".status.phase"},
					},
				}},
			},
		}
		_, err := c.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, obj, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}
