# shellcheck shell=bash
# Certificates and kubeconfigs for the CI cluster, made with openssl (sourced by up.sh).
# One CA signs everything; keys are ECDSA P-256 and live 30 days (a CI cluster lives minutes).

CERT_DAYS=30

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# issue_cert NAME SUBJECT USAGE [SUBJECT_ALT_NAMES]: NAME.key/NAME.crt signed by the CA.
# USAGE is serverAuth or clientAuth; SUBJECT_ALT_NAMES like "DNS:a,IP:1.2.3.4".
issue_cert() {
  local name="$1" subject="$2" usage="$3" sans="${4:-}" extensions
  [[ -s "${PKI_DIR}/${name}.crt" ]] && return 0
  extensions="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=${usage}"
  [[ -n "${sans}" ]] && extensions+=$'\n'"subjectAltName=${sans}"
  new_key "${PKI_DIR}/${name}.key"
  openssl req -new -key "${PKI_DIR}/${name}.key" -subj "${subject}" |
    openssl x509 -req -CA "${PKI_DIR}/ca.crt" -CAkey "${PKI_DIR}/ca.key" -CAcreateserial \
      -days "${CERT_DAYS}" -extfile <(printf '%s\n' "${extensions}") -out "${PKI_DIR}/${name}.crt" 2>/dev/null
}

# write_kubeconfig FILE USER CERT_NAME: a kubeconfig with embedded credentials for the node IP endpoint.
write_kubeconfig() {
  local file="$1" user="$2" cert="$3"
  [[ -s "${file}" ]] && return 0
  kubectl config --kubeconfig="${file}" set-cluster "${CONTEXT_NAME}" --embed-certs \
    --certificate-authority="${PKI_DIR}/ca.crt" --server="https://${NODE_IP}:${APISERVER_PORT}" >/dev/null
  kubectl config --kubeconfig="${file}" set-credentials "${user}" --embed-certs \
    --client-certificate="${PKI_DIR}/${cert}.crt" --client-key="${PKI_DIR}/${cert}.key" >/dev/null
  kubectl config --kubeconfig="${file}" set-context "${CONTEXT_NAME}" \
    --cluster="${CONTEXT_NAME}" --user="${user}" >/dev/null
  kubectl config --kubeconfig="${file}" use-context "${CONTEXT_NAME}" >/dev/null
  chmod 600 "${file}"
}

make_pki() {
  mkdir -p "${PKI_DIR}"
  chmod 700 "${PKI_DIR}"
  if [[ ! -s "${PKI_DIR}/ca.crt" ]]; then
    new_key "${PKI_DIR}/ca.key"
    openssl req -x509 -new -key "${PKI_DIR}/ca.key" -subj "/CN=todo-ci-ca" -days "${CERT_DAYS}" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" -out "${PKI_DIR}/ca.crt"
  fi
  [[ -s "${PKI_DIR}/service-account.key" ]] || new_key "${PKI_DIR}/service-account.key"
  openssl pkey -in "${PKI_DIR}/service-account.key" -pubout -out "${PKI_DIR}/service-account.pub"

  local api_names="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  api_names+=",DNS:kubernetes.default.svc.${CLUSTER_DOMAIN},DNS:localhost"
  api_names+=",IP:127.0.0.1,IP:${NODE_IP},IP:${KUBERNETES_SERVICE_IP}"
  issue_cert apiserver "/CN=kube-apiserver" serverAuth "${api_names}"
  issue_cert apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client" clientAuth
  issue_cert kubelet-serving "/CN=${NODE_NAME}" serverAuth "DNS:${NODE_NAME},IP:${NODE_IP}"
  issue_cert kubelet "/O=system:nodes/CN=system:node:${NODE_NAME}" clientAuth
  issue_cert admin "/O=system:masters/CN=todo-ci-admin" clientAuth
  issue_cert controller-manager "/CN=system:kube-controller-manager" clientAuth
  issue_cert scheduler "/CN=system:kube-scheduler" clientAuth
  issue_cert kube-proxy "/CN=system:kube-proxy" clientAuth

  write_kubeconfig "${KUBECONFIG_PATH}" todo-ci-admin admin
  local component
  for component in controller-manager scheduler kube-proxy kubelet; do
    write_kubeconfig "${PKI_DIR}/${component}.kubeconfig" "${component}" "${component}"
  done
}
