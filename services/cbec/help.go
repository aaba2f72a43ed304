package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// runHelp is `cbec help [command]`: cbec's usage, or the command's (its -h).
func runHelp(ctx context.Context, cmds []command, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cbec help", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stdout, cmds) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0 || fs.Arg(0) == "help":
		usage(stdout, cmds)
		return nil
	case fs.NArg() > 1:
		return fmt.Errorf("help: one command at a time, not %v", fs.Args())
	}
	i := slices.IndexFunc(cmds, func(c command) bool { return c.name == fs.Arg(0) })
	if i < 0 {
		return fmt.Errorf("help: unknown command %q; cbec help lists them", fs.Arg(0))
	}
	return cmds[i].run(ctx, []string{"-h"}, stdout, stderr)
}

// usage writes cbec's help: what it is, the commands and the flags of the
// default command, run.
func usage(w io.Writer, cmds []command) {
	var b strings.Builder
	b.WriteString(`cbec is the customs clearance system for China's cross-border e-commerce
retail channels: CEB messages over HTTP and NATS, decided by rules.

usage: cbec [run] [flags]          run the services (the default command)
       cbec <command> [flags]
       cbec <command> -h           a command's flags
       cbec --version

Commands:
`)
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.name, c.summary)
	}
	b.WriteString("\n")
	fs := flag.NewFlagSet("cbec", flag.ContinueOnError)
	registerFlags(fs, &Config{}, new(string))
	writeFlags(&b, fs)
	_, _ = io.WriteString(w, b.String())
}

// usageRun is `cbec run -h`.
func usageRun(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	b.WriteString("usage: cbec [run] [flags]\n\n")
	writeFlags(&b, fs)
	_, _ = io.WriteString(w, b.String())
}

// writeFlags lists fs's flags, each with its environment twin, its
// meaning and its default.
func writeFlags(b *strings.Builder, fs *flag.FlagSet) {
	b.WriteString(`Flags of cbec run. Each flag is also read from the environment variable on
its line (CBEC_ and the name in capitals); a flag on the command line wins.

`)
	type line struct{ name, env, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		typ, use := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if typ != "" {
			name += " " + typ
		}
		switch f.DefValue {
		case "", "0", "false":
		default:
			if typ == "string" {
				use += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				use += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		lines = append(lines, line{name, EnvName(f.Name), use})
		width = max(width, len(name))
	})
	for _, l := range lines {
		fmt.Fprintf(b, "  %-*s  %s\n", width, l.name, l.env)
		for _, u := range wrapText(l.usage, 76) {
			fmt.Fprintf(b, "      %s\n", u)
		}
	}
}

// wrapText breaks s into lines of at most width bytes at spaces (a longer
// word stands alone).
func wrapText(s string, width int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(word) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += word
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
