//go:build !nometrics

package main

import (
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/logs"

	metrics "sigs.k8s.io/metrics-server/cmd/metrics-server/app"
)

func init() {
	programs["metrics-server"] = func(args []string) int {
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
