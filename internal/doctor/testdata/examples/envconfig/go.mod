module example.com/envconfig

go 1.24.0
