package main

import (
	"os"

	"github.com/spf13/pflag"

	"sigs.k8s.io/kwok/pkg/config"
	"sigs.k8s.io/kwok/pkg/kwok/cmd"
	"sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/signals"
)

func init() {
	programs["kwok"] = func(args []string) int {
		// kwok reads its global flags (--config, -v) from os.Args itself.
		os.Args = append([]string{"kwok"}, args...)
		// The Kubernetes packages linked in register a non-bool --version (verflag) in
		// pflag.CommandLine, which cobra then takes for kwok's own bool --version.
		pflag.CommandLine = pflag.NewFlagSet("kwok", pflag.ExitOnError)
		flagset := pflag.NewFlagSet("global", pflag.ContinueOnError)
		flagset.ParseErrorsAllowlist.UnknownFlags = true
		flagset.Usage = func() {}
		ctx := signals.SetupSignalContext()
		ctx, logger := log.InitFlags(ctx, flagset)
		ctx, err := config.InitFlags(ctx, flagset)
		if err != nil {
			_, _ = os.Stderr.Write([]byte(flagset.FlagUsages()))
			logger.Error("Init config flags", "err", err)
			return 1
		}
		command := cmd.NewCommand(ctx)
		command.PersistentFlags().AddFlagSet(flagset)
		command.SetArgs(args)
		if err := command.ExecuteContext(ctx); err != nil {
			logger.Error("Execute exit", "err", err)
			return 1
		}
		return 0
	}
}
