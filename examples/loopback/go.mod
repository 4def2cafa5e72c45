module example.com/loopback

go 1.26
