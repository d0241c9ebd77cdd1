# Deployment: images, compose and Kubernetes manifests (docs/deploy.md).
KUBECTL := $(CURDIR)/.venv/bin/kubectl
OVERLAY ?= local

.PHONY: test-deploy manifests

test: test-deploy

test-deploy: install ## Deployment checks: Dockerfiles, compose, kustomize builds, schemas, policies
	$(UV) run --frozen pytest deploy/tests

manifests: ## Print the Kubernetes objects of OVERLAY=local|production (pipe to kubectl apply -f -)
	@test -x $(KUBECTL) || $(MAKE) --no-print-directory install >&2
	@$(KUBECTL) kustomize deploy/k8s/overlays/$(OVERLAY)
