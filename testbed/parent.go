package main

import (
	"os"
	"strconv"
	"time"
)

// With OUTPOST_TESTBED_PARENT set to the starting process's pid, a program exits as soon as
// that process is gone (it is re-parented), so a test bed killed with SIGKILL leaves nothing
// running or listening.
func init() {
	parent, err := strconv.Atoi(os.Getenv("OUTPOST_TESTBED_PARENT"))
	if err != nil || parent <= 1 {
		return
	}
	go func() {
		for {
			if os.Getppid() != parent {
				os.Exit(3)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
}
