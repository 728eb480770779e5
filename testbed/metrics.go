//go:build !nometrics

package main

import (
	"github.com/spf13/pflag"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/logs"

	metrics "sigs.k8s.io/metrics-server/cmd/metrics-server/app"
)

func init() {
	programs["metrics-server"] = func(args []string) int {
		pflag.CommandLine = pflag.NewFlagSet("metrics-server", pflag.ExitOnError)
		logs.InitLogs()
		defer logs.FlushLogs()
		cmd := metrics.NewMetricsServerCommand(genericapiserver.SetupSignalHandler())
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			return 1
		}
		return 0
	}
}
