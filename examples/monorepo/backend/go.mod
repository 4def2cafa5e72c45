module example.com/backend

go 1.24

require example.com/shared v0.0.0

replace example.com/shared => ../shared
