package setters

import (
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/kustomize/kyaml/fieldmeta"

	reflectorv1 "github.com/fluxcd/image-reflector-controller/api/v1"
)

// cliExtension is the OpenAPI vendor extension that holds a setter's value.
const cliExtension = "x-k8s-cli"

// setterExt is the value of cliExtension in a setter definition.
type setterExt struct {
	Setter struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"setter"`
}

// settersSchema returns an OpenAPI schema with a setter definition for each
// policy that has a latest reference: NS:NAME (the whole reference,
// NAME:TAG or NAME:TAG@DIGEST), NS:NAME:tag, NS:NAME:name and, when the
// reference has one, NS:NAME:digest.
func settersSchema(policies []reflectorv1.ImagePolicy) *spec.Schema {
	defs := spec.Definitions{}
	for _, p := range policies {
		ref := p.Status.LatestRef
		if ref == nil {
			continue
		}
		id := p.Name
		if p.Namespace != "" {
			id = p.Namespace + ":" + p.Name
		}
		addSetter(defs, id, ref.String())
		addSetter(defs, id+":tag", ref.Tag)
		addSetter(defs, id+":name", ref.Name)
		if ref.Digest != "" {
			addSetter(defs, id+":digest", ref.Digest)
		}
	}
	return &spec.Schema{SchemaProps: spec.SchemaProps{Definitions: defs}}
}

func addSetter(defs spec.Definitions, name, value string) {
	var s spec.Schema
	s.AddExtension(cliExtension, map[string]any{"setter": map[string]any{"name": name, "value": value}})
	defs[fieldmeta.SetterDefinitionPrefix+name] = s
}
