package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"opsdeck/config"
)

func configCmd() *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Validate or create a site file"}
	c.AddCommand(&cobra.Command{
		Use:   "validate FILE",
		Short: "Report every problem of a site file as file:line:col: field: message",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			s, err := config.Load(args[0])
			var ps config.Problems
			switch {
			case errors.As(err, &ps):
				fmt.Fprintln(os.Stderr, ps.Error())
				fmt.Fprintf(os.Stderr, "%s: %d problem(s)\n", args[0], len(ps))
				return exitError{1}
			case err != nil:
				return err
			}
			fmt.Printf("%s: ok (site %q, %d clusters, %d hosts)\n", args[0], s.Name, len(s.Clusters), len(s.Inventory()))
			return nil
		},
	})
	c.AddCommand(&cobra.Command{
		Use:   "init [FILE]",
		Short: "Write a fully commented example site file (to stdout without FILE)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 || args[0] == "-" {
				_, err := os.Stdout.Write(config.Example)
				return err
			}
			path := config.ExpandPath(args[0])
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return err
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists; not overwritten", path)
			}
			if err != nil {
				return err
			}
			if _, err := f.Write(config.Example); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "wrote %s: edit it, then run: opsdeck config validate %s\n", path, path)
			return nil
		},
	})
	return c
}
