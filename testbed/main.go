// Command outpost-testbed-bin is a multi-call binary (like K3s) holding the programs of one real
// Kubernetes site for Outpost's test bed: the first argument picks the program.
//
//	outpost-testbed-bin apiserver|controller-manager|scheduler|kine|kwok|metrics-server [flags]
//
// The Kubernetes version the apiserver reports (/version) is set at link time through
// -ldflags -X k8s.io/component-base/version.gitVersion=..., see scripts/testbed-build.sh.
package main

import (
	"fmt"
	"os"
	"sort"
	_ "time/tzdata" // for timeZone support in CronJob

	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
)

// programs maps a program name to its entry point; each returns the process exit code.
var programs = map[string]func(args []string) int{}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	run, ok := programs[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "outpost-testbed-bin: unknown program %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	os.Exit(run(os.Args[2:]))
}

func usage() {
	names := make([]string, 0, len(programs))
	for name := range programs {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: outpost-testbed-bin %v [flags]\n", names)
}
