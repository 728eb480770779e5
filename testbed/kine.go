package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	kine "github.com/k3s-io/kine/pkg/app"
)

func init() {
	programs["kine"] = func(args []string) int {
		app := kine.New()
		if err := app.Run(append([]string{"kine"}, args...)); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "kine: %v\n", err)
			return 1
		}
		return 0
	}
}
