package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// compact compacts kine's history up to its current revision through the etcd API (what the
// apiserver's --etcd-compaction-interval does), so older resourceVersions answer 410 Gone.
func init() {
	programs["compact"] = func(args []string) int {
		fs := flag.NewFlagSet("compact", flag.ContinueOnError)
		endpoint := fs.String("endpoint", "http://127.0.0.1:2379", "kine's etcd endpoint")
		if err := fs.Parse(args); err != nil {
			return 2
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{*endpoint}, DialTimeout: 5 * time.Second})
		if err != nil {
			fmt.Fprintf(os.Stderr, "compact: %v\n", err)
			return 1
		}
		defer cli.Close()
		// kine keeps its own bookkeeping keys; any Get returns the store's current revision.
		resp, err := cli.Get(ctx, "/registry/health")
		if err != nil {
			fmt.Fprintf(os.Stderr, "compact: reading the revision: %v\n", err)
			return 1
		}
		rev := resp.Header.Revision
		if _, err := cli.Compact(ctx, rev); err != nil {
			fmt.Fprintf(os.Stderr, "compact: %v\n", err)
			return 1
		}
		fmt.Println(rev)
		return 0
	}
}
