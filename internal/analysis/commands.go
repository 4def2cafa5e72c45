package analysis

import "sort"

// migrationFuncs are the package functions that migrate a database schema
// (the migration libraries' entry points; gorm's AutoMigrate method is in
// scanMethodCall).
var migrationFuncs = setOf(`github.com/golang-migrate/migrate/v4.New github.com/golang-migrate/migrate/v4.NewWithDatabaseInstance
	github.com/golang-migrate/migrate/v4.NewWithSourceInstance github.com/golang-migrate/migrate/v4.NewWithInstance
	github.com/pressly/goose/v3.Up github.com/pressly/goose/v3.UpContext github.com/pressly/goose/v3.UpTo
	github.com/pressly/goose/v3.Run github.com/pressly/goose/v3.RunContext github.com/pressly/goose/v3.NewProvider
	github.com/pressly/goose.Up github.com/pressly/goose.Run
	github.com/rubenv/sql-migrate.Exec github.com/rubenv/sql-migrate.ExecMax github.com/rubenv/sql-migrate.ExecContext`)

// mainCommands finds the one-shot subcommands of a long-running main:
// a schema migration the code runs only under a subcommand other than
// the server's (`app migrate` beside `app serve`). The server's CMD never
// runs them; compose gets a job for each. A migration main runs on its
// way to serving (or under the server's own subcommand) needs nothing.
// server is the subcommand the primary listener runs under.
func (a *analyzer) mainCommands(m *pkg, files []*file, mn Main, server string) []Command {
	if !mn.LongRunning {
		return nil // the whole binary runs to completion: it is a job itself
	}
	var out []Command
	seen := map[string]bool{}
	for _, f := range files {
		for _, s := range f.facts.migrations {
			st := a.reach(m, s.f, s.decl, s.pos)
			if !st.ok || st.sub == "" || st.sub == server || seen[st.sub] {
				continue
			}
			seen[st.sub] = true
			out = append(out, Command{Subcommand: st.sub, Does: "migrate", Via: s.lib, Source: a.pos(s.pos)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subcommand < out[j].Subcommand })
	return out
}

// serverSubcommand is the subcommand the primary listener (ranked first)
// runs under, "" for none.
func serverSubcommand(ranked []Listener) string {
	if len(ranked) == 0 {
		return ""
	}
	return ranked[0].Subcommand
}
