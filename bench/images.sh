#!/usr/bin/env bash
# Image-size and build-time benchmarks for dockgen's generated Dockerfile,
# printed as markdown tables (docs/benchmarks.md holds the last run).
#
#   bash bench/images.sh [-n REPS] [EXAMPLE...]     # default: -n 5 hello
#
# 1. Image size minus the (stripped) binary for each runtime base the engine
#    can build here (distroless, scratch, debian), for examples/hello: what
#    the base costs on top of the program.
# 2. Cold build, and warm rebuild after a one-line code change, of the
#    generated Dockerfile next to a naive one, measured side by side in one
#    run (alternating, on the same warmed builder; median of REPS):
#        FROM golang:1.26-bookworm
#        WORKDIR /src
#        COPY . .
#        RUN go build -o /app .
#        CMD ["/app"]
#    "Cold" means no layer cache (--no-cache) and, for the generated
#    Dockerfile, empty Go module and build caches: the run gets cache mounts
#    of its own (an id= added in a temporary copy), so the engine's shared
#    build cache is never pruned. Base images are local in both cases.
#
# Needs: docker with the buildx plugin (BuildKit) and the base images the
# Dockerfiles name (see .ci/provision-docker), and go to build dockgen.
# Everything created is labelled dockgen.bench=<run id> and removed at exit.
set -euo pipefail

reps=5
while getopts n: opt; do
	case $opt in
	n) reps=$OPTARG ;;
	*) echo "usage: $0 [-n REPS] [EXAMPLE...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
examples=("${@:-hello}")

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run=bench$(date +%s)$$
work=$(mktemp -d)
export DOCKER_BUILDKIT=1

cleanup() {
	docker ps -aq --filter "label=dockgen.bench=$run" | xargs -r docker rm -f >/dev/null 2>&1 || true
	docker images -q --filter "label=dockgen.bench=$run" | sort -u | xargs -r docker image rm -f >/dev/null 2>&1 || true
	# The cold builds' private cache mounts.
	docker builder prune -f --filter "description~=$run" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

docker buildx version >/dev/null 2>&1 || { echo "bench: docker buildx (BuildKit) is required" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "bench: no Docker engine answers" >&2; exit 1; }
(cd "$root" && go build -o "$work/dockgen" ./cmd/dockgen)

# copy_sources EXAMPLE DST: the example without dockgen's generated files.
copy_sources() {
	mkdir -p "$2"
	tar -C "$root/examples/$1" --exclude=Dockerfile --exclude=.dockerignore --exclude=compose.yaml \
		--exclude=.dockgen.yaml --exclude=dockgen_health.go -cf - . | tar -C "$2" -xf -
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# build DIR TAG [DOCKERFILE] [extra docker build args...]: prints seconds.
build() {
	local dir=$1 tag=$2 file=${3:-$1/Dockerfile}
	shift 3 || shift $#
	local t0 t1
	t0=$(now)
	if ! docker build -q --label "dockgen.bench=$run" -t "$tag" -f "$file" "$@" "$dir" >"$work/build.log" 2>&1; then
		echo "bench: docker build $tag failed:" >&2
		tail -n 30 "$work/build.log" >&2
		exit 1
	fi
	t1=$(now)
	elapsed "$t0" "$t1"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }

# binary_size IMAGE: bytes of /app, read from a created (never started) container.
binary_size() {
	local cid size
	cid=$(docker create --label "dockgen.bench=$run" "$1")
	size=$(docker cp "$cid:/app" - | tar -xO | wc -c)
	docker rm -f "$cid" >/dev/null
	echo "$size"
}

echo "<!-- bench/images.sh -n $reps ${examples[*]}: $(date -u +%Y-%m-%dT%H:%MZ) -->"
echo
echo "Engine: Docker $(docker version -f '{{.Server.Version}}') with BuildKit (buildx $(docker buildx version | awk '{print $2}')), $(nproc) CPUs, $(go version | awk '{print $3}') on the host."
echo

# --- 1. image size minus binary -------------------------------------------
echo "### Image size minus binary (examples/hello)"
echo
echo "| base | runtime image | image | binary (stripped, -s -w) | image − binary |"
echo "|---|---|---:|---:|---:|"
for base in distroless scratch debian; do
	dir=$work/size-$base
	copy_sources hello "$dir"
	"$work/dockgen" init --yes --force --base "$base" "$dir" >/dev/null 2>&1
	tag=dockgen-bench-hello-$base:$run
	build "$dir" "$tag" >/dev/null
	img=$(docker image inspect -f '{{.Size}}' "$tag")
	bin=$(binary_size "$tag")
	runtime=$(awk 'toupper($1) == "FROM" { img = ($2 ~ /^--/) ? $3 : $2 } END { print img }' "$dir/Dockerfile")
	echo "| $base | \`$runtime\` | $(mb "$img") | $(mb "$bin") | $(mb $((img - bin))) |"
done
echo

# --- 2. cold build and warm rebuild: generated vs naive ---------------------
naive='FROM golang:1.26-bookworm
WORKDIR /src
COPY . .
RUN go build -o /app .
CMD ["/app"]'

echo "### Build time: generated Dockerfile vs naive \`COPY . . && go build\`"
echo
echo "| example | Dockerfile | cold build | warm rebuild after a one-line change (median of $reps) | each rebuild (s) |"
echo "|---|---|---:|---:|---|"
for ex in "${examples[@]}"; do
	gen=$work/gen-$ex naivedir=$work/naive-$ex
	copy_sources "$ex" "$gen"
	copy_sources "$ex" "$naivedir"
	"$work/dockgen" init --yes --force "$gen" >/dev/null 2>&1
	printf '%s\n' "$naive" >"$naivedir/Dockerfile"
	mainfile=$(cd "$gen" && grep -l '^func main()' $(find . -name '*.go' ! -name dockgen_health.go) | head -n 1)

	# Cold: private cache mounts for the generated file, no layer cache for both.
	sed -E "s#--mount=type=cache,target=([^ ]+)#--mount=type=cache,id=$run-\\1,target=\\1#" "$gen/Dockerfile" >"$work/Dockerfile.cold"
	cold_gen=$(build "$gen" "dockgen-bench-gen-$ex:$run" "$work/Dockerfile.cold" --no-cache)
	cold_naive=$(build "$naivedir" "dockgen-bench-naive-$ex:$run" "$naivedir/Dockerfile" --no-cache)

	# Warm the shared builder for both, then change one line and rebuild.
	build "$gen" "dockgen-bench-gen-$ex:$run" >/dev/null
	build "$naivedir" "dockgen-bench-naive-$ex:$run" >/dev/null
	gen_times="" naive_times=""
	for i in $(seq "$reps"); do
		for d in "$gen" "$naivedir"; do
			printf 'var benchEdit%d = "one-line change %s"\n' "$i" "$run" >>"$d/$mainfile"
		done
		gen_times+=" $(build "$gen" "dockgen-bench-gen-$ex:$run")"
		naive_times+=" $(build "$naivedir" "dockgen-bench-naive-$ex:$run")"
	done
	echo "| $ex | generated | ${cold_gen} s | **$(echo "$gen_times" | median) s** |${gen_times} |"
	echo "| $ex | naive | ${cold_naive} s | **$(echo "$naive_times" | median) s** |${naive_times} |"
done
