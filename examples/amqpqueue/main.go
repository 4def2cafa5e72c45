// Command amqpqueue answers GET / with a publish/consume round trip through
// RabbitMQ (github.com/rabbitmq/amqp091-go), reached at $AMQP_URL: it
// publishes to a queue of its own and gets the message back. Its health
// route opens a channel, so the service is healthy only while RabbitMQ
// answers.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// broker holds one connection, dialled again after it is lost: the
// service starts, and reports itself unhealthy, until RabbitMQ answers.
type broker struct {
	url  string
	mu   sync.Mutex
	conn *amqp.Connection
}

func (b *broker) channel() (*amqp.Channel, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn == nil || b.conn.IsClosed() {
		conn, err := amqp.DialConfig(b.url, amqp.Config{Dial: amqp.DefaultDial(time.Second)})
		if err != nil {
			return nil, err
		}
		b.conn = conn
	}
	return b.conn.Channel()
}

func main() {
	url := os.Getenv("AMQP_URL")
	if url == "" {
		url = "amqp://guest:guest@localhost:5672/"
	}
	b := &broker{url: url}

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ch, err := b.channel()
		if err != nil {
			http.Error(w, "rabbitmq: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		ch.Close()
		fmt.Fprintln(w, "ok")
	})
	var mu sync.Mutex
	count := 0
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		got, err := roundTrip(r.Context(), b, func() string {
			mu.Lock()
			defer mu.Unlock()
			count++
			return fmt.Sprintf("hello %d", count)
		}())
		if err != nil {
			http.Error(w, "rabbitmq: "+err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "rabbitmq: received %q\n", got)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8435"
	}
	serve(&http.Server{Addr: ":" + port})
}

// roundTrip publishes body to a new exclusive queue and gets it back.
func roundTrip(ctx context.Context, b *broker, body string) (string, error) {
	ch, err := b.channel()
	if err != nil {
		return "", err
	}
	defer ch.Close()
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		return "", err
	}
	if err := ch.PublishWithContext(ctx, "", q.Name, false, false, amqp.Publishing{ContentType: "text/plain", Body: []byte(body)}); err != nil {
		return "", err
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		msg, ok, err := ch.Get(q.Name, true)
		if err != nil {
			return "", err
		}
		if ok {
			return string(msg.Body), nil
		}
	}
	return "", fmt.Errorf("queue %s: no message within 2s", q.Name)
}

// serve runs srv until SIGTERM, then shuts it down gracefully.
func serve(srv *http.Server) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
