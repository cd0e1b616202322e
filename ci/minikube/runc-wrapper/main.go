// Command runc-wrapper runs runc on an OCI spec with the capabilities this machine cannot grant taken out.
//
// CI only. The CI machines' capability bounding set lacks CAP_SYS_RESOURCE, so `docker run --privileged` (which
// minikube and kind always use for their node) fails with "unable to apply caps: operation not permitted", and
// inside such a node the same happens to privileged pods (kube-proxy). Raising oom_score_adj below the current
// value needs the same capability, so sandboxes that ask for -998 fail too. Registered as a Docker runtime
// (dockerd --add-runtime) and installed as `runc` ahead of the real one inside the node image, this program:
//   - removes CAP_SYS_RESOURCE from every capability set of the bundle's config.json (create, run) or of the
//     --process file (exec);
//   - raises a requested oomScoreAdj that is below its own to its own (what containerd's restrict_oom_score_adj
//     does, which minikube turns off);
//
// then replaces itself with the real runc, with the same arguments.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

const missingCapability = "CAP_SYS_RESOURCE"

// realRunc is the runc this program hands over to; RUNC_WRAPPER_REAL overrides it.
func realRunc() string {
	if path := os.Getenv("RUNC_WRAPPER_REAL"); path != "" {
		return path
	}
	return "/usr/sbin/runc"
}

// flagValue returns the value of --name (as "--name value" or "--name=value") in args.
func flagValue(args []string, name string) string {
	for i, arg := range args {
		if arg == name && i+1 < len(args) {
			return args[i+1]
		}
		if value, found := strings.CutPrefix(arg, name+"="); found {
			return value
		}
	}
	return ""
}

// specToAdjust is the file whose process settings runc is about to apply, if any.
func specToAdjust(args []string) string {
	if process := flagValue(args, "--process"); process != "" {
		return process
	}
	if bundle := flagValue(args, "--bundle"); bundle != "" {
		return filepath.Join(bundle, "config.json")
	}
	return ""
}

func ownOOMScoreAdj() (int64, error) {
	raw, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
}

func withoutMissingCapability(values []any) []any {
	kept := values[:0]
	for _, value := range values {
		if value != missingCapability {
			kept = append(kept, value)
		}
	}
	return kept
}

// adjustProcess edits one OCI "process" object in place.
func adjustProcess(process map[string]any, floor int64) {
	if capabilities, ok := process["capabilities"].(map[string]any); ok {
		for set, values := range capabilities {
			if list, ok := values.([]any); ok {
				capabilities[set] = withoutMissingCapability(list)
			}
		}
	}
	if requested, ok := process["oomScoreAdj"].(json.Number); ok {
		if value, err := requested.Int64(); err == nil && value < floor {
			process["oomScoreAdj"] = json.Number(strconv.FormatInt(floor, 10))
		}
	}
}

// adjust rewrites path: a full spec (config.json) holds the process under "process"; an exec file is one.
func adjust(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber() // keep uids, limits and the like exactly as written
	var document map[string]any
	if err := decoder.Decode(&document); err != nil {
		return err
	}
	floor, err := ownOOMScoreAdj()
	if err != nil {
		return err
	}
	if process, ok := document["process"].(map[string]any); ok {
		adjustProcess(process, floor)
	} else {
		adjustProcess(document, floor)
	}
	adjusted, err := json.Marshal(document)
	if err != nil {
		return err
	}
	return os.WriteFile(path, adjusted, 0o600)
}

func main() {
	args := os.Args[1:]
	if path := specToAdjust(args); path != "" {
		if err := adjust(path); err != nil {
			fmt.Fprintf(os.Stderr, "runc-wrapper: cannot adjust %s: %v\n", path, err)
			os.Exit(1)
		}
	}
	runc := realRunc()
	if err := syscall.Exec(runc, append([]string{runc}, args...), os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "runc-wrapper: cannot run %s: %v\n", runc, err)
		os.Exit(1)
	}
}
