package analysis

import (
	"go/ast"
	"path"
	"strings"
)

// tlsClients are modules whose clients talk TLS to outside services, so the
// runtime image needs CA roots.
var tlsClients = []string{
	"github.com/aws/aws-sdk-go", "github.com/aws/aws-sdk-go-v2", "cloud.google.com/go",
	"google.golang.org/api", "github.com/Azure/azure-sdk-for-go", "github.com/stripe/stripe-go",
	"github.com/slack-go/slack", "github.com/getsentry/sentry-go", "golang.org/x/oauth2",
	"github.com/go-resty/resty", "github.com/minio/minio-go", "github.com/sendgrid/sendgrid-go",
	"github.com/twilio/twilio-go", "github.com/google/go-github", "github.com/coreos/go-oidc",
	"google.golang.org/grpc/credentials", "github.com/hashicorp/vault/api",
	"github.com/elastic/go-elasticsearch", "github.com/sashabaranov/go-openai",
	"github.com/openai/openai-go", "github.com/anthropics/anthropic-sdk-go",
	"go.mongodb.org/mongo-driver", "firebase.google.com/go",
}

// serviceDrivers map driver imports to the backing service compose can add.
var serviceDrivers = []struct {
	name     string
	prefixes []string
}{
	{"mongo", []string{"go.mongodb.org/mongo-driver", "gopkg.in/mgo.v2", "github.com/globalsign/mgo"}},
	{"mysql", []string{"github.com/go-sql-driver/mysql", "gorm.io/driver/mysql", "github.com/jinzhu/gorm/dialects/mysql"}},
	{"nats", []string{"github.com/nats-io/nats.go"}},
	{"postgres", []string{"github.com/lib/pq", "github.com/jackc/pgx", "gorm.io/driver/postgres",
		"github.com/go-pg/pg", "github.com/uptrace/bun/driver/pgdriver", "github.com/jinzhu/gorm/dialects/postgres"}},
	{"rabbitmq", []string{"github.com/rabbitmq/amqp091-go", "github.com/streadway/amqp"}},
	{"redis", []string{"github.com/redis/go-redis", "github.com/go-redis/redis", "github.com/gomodule/redigo",
		"github.com/garyburd/redigo", "github.com/redis/rueidis", "gopkg.in/redis.v5", "gopkg.in/redis.v4"}},
}

// serviceKinds are the backing services an import path is a client or
// driver of.
func serviceKinds(ip string) []string {
	var out []string
	for _, s := range serviceDrivers {
		if matchAny(ip, s.prefixes) {
			out = append(out, s.name)
		}
	}
	return out
}

// matchAny reports whether import path p is one of prefixes or below one.
// Major version suffixes match too: ".../pgx" covers ".../pgx/v5".
func matchAny(p string, prefixes []string) bool {
	for _, pre := range prefixes {
		if hasPathPrefix(p, pre) {
			return true
		}
	}
	return false
}

// isStdPath reports whether an import path is in the standard library: its
// first element has no dot.
func isStdPath(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// scanExec records a binary the program runs: the runtime image must have it.
func (a *analyzer) scanExec(ff *fileFacts, c evalCtx, name ast.Expr, call *ast.CallExpr) {
	if name == nil {
		return
	}
	s, ok := a.valueNoParams(c, name).known()
	if !ok {
		return
	}
	if strings.HasPrefix(s, "/") { // /bin/sh: the need is the binary
		s = path.Base(s)
	}
	if s == "" || strings.HasPrefix(s, ".") {
		return
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+-", r)) {
			return
		}
	}
	ff.need("exec:"+s, a.pos(call.Pos()))
}

// scanDotenv finds godotenv.Load() whose failure is fatal: the container has
// no .env (and .dockerignore keeps it out), so the program would exit at once.
func (a *analyzer) scanDotenv(ff *fileFacts, f *file, ifs *ast.IfStmt, stack []ast.Node) {
	load := dotenvLoad(f, ifs.Init)
	if load == nil {
		load = dotenvLoad(f, ifs.Cond)
	}
	if load == nil && len(stack) >= 2 { // err := godotenv.Load(); if err != nil {...}
		var list []ast.Stmt
		switch p := stack[len(stack)-2].(type) {
		case *ast.BlockStmt:
			list = p.List
		case *ast.CaseClause:
			list = p.Body
		case *ast.CommClause:
			list = p.Body
		}
		for i, s := range list {
			if s == ifs && i > 0 {
				if as, ok := list[i-1].(*ast.AssignStmt); ok {
					load = dotenvLoad(f, as)
				}
			}
		}
	}
	if load == nil || !fatal(ifs.Body) {
		return
	}
	ff.warn("dotenv-required", a.pos(load.Pos()), dotenvMessage)
}

const dotenvMessage = "godotenv.Load() failing is fatal here, but the container has no .env file (.dockerignore keeps it out): make the .env optional (ignore a missing file) and pass configuration as environment variables"

func dotenvLoad(f *file, n ast.Node) *ast.CallExpr {
	if n == nil {
		return nil
	}
	var found *ast.CallExpr
	ast.Inspect(n, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found != nil {
			return found == nil
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && f.pkgOf(sel.X) == "github.com/joho/godotenv" &&
			(sel.Sel.Name == "Load" || sel.Sel.Name == "Overload") {
			found = call
		}
		return true
	})
	return found
}

// fatal reports whether a block ends the program: panic, os.Exit, or any
// logger's Fatal*/Panic*.
func fatal(b *ast.BlockStmt) bool {
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return !found
		}
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			found = found || fun.Name == "panic"
		case *ast.SelectorExpr:
			name := fun.Sel.Name
			found = found || strings.HasPrefix(name, "Fatal") || strings.HasPrefix(name, "Panic") || name == "Exit"
		}
		return !found
	})
	return found
}
