package benchgen

import "fmt"

// render returns file kind k (0..3) of file number i, with markers.
func render(k, i int) string {
	switch k {
	case 0:
		return deployment(i)
	case 1:
		return stack(i)
	case 2:
		return kustomization(i)
	}
	return values(i)
}

func deployment(i int) string {
	s := fmt.Sprintf(`# Deployment %d, managed by hoist.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  namespace: apps
  labels:
    app.kubernetes.io/name: app-%d
    app.kubernetes.io/part-of: bench
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: app-%d
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-%d
    spec:
      containers:
`, i, i, i, i, i)
	for c := range 3 {
		p := i + c
		s += fmt.Sprintf(`        - name: c%d
          image: %s:1.0.0%s
          ports:
            - containerPort: %d
          resources:
            requests: {cpu: 10m, memory: 32Mi}
          env:
            - name: MODE
              value: "production"
`, c, oldImage(p), marker(p, ""), 8080+c)
	}
	return s
}

func stack(i int) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: svc-%d
  namespace: apps
spec:
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg-%d
  namespace: apps
data:
  config.yaml: |
    level: info
    features: [a, b, c]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: job-%d
  namespace: apps
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: "%s:1.0.0"%s
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: rel-%d
  namespace: apps
spec:
  interval: 10m
  values:
    image:
      repository: %s%s
      tag: "1.0.0"%s
`, i, i, i, oldImage(i), marker(i, ""), i, oldImage(i+1), marker(i+1, "name"), marker(i+1, "tag"))
}

func kustomization(i int) string {
	return fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: apps
resources:
  - deployment.yaml
  - stack.yaml
images:
  - name: svc
    newName: %s%s
    newTag: 1.0.0%s
    digest: %s%s
`, oldImage(i), marker(i, "name"), marker(i, "tag"), digest(i, "1.0.0"), marker(i, "digest"))
}

func values(i int) string {
	return fmt.Sprintf(`# Default values for app-%d.
replicaCount: 1

image:
  repository: %s%s
  tag: 1.0.0%s
  pullPolicy: IfNotPresent

service:
  type: ClusterIP
  port: 80

resources: {}
nodeSelector: {}
tolerations: []
`, i, oldImage(i), marker(i, "name"), marker(i, "tag"))
}
