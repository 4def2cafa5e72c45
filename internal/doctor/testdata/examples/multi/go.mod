module example.com/multi

go 1.23.4
