#!/usr/bin/env bash
# Regenerates docs/response.md and its figures (docs/response/*.svg): the linear response
# of four systems by every estimator `scoredyn response` has, each against the
# perturbation truth (and the OU ring also against exp(A tau)). Trains one score model
# per system with the `train` defaults. About 10 minutes on 2 cores.
#   bash scripts/response.sh            # all systems
#   QUICK=1 bash scripts/response.sh    # shorter trajectories and ensembles (a smoke run)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scoredyn/target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/scoredyn"
OUT=docs/response
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
quick="${QUICK:-0}"
scale() { if [ "$quick" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# One system: NAME, the simulation flags, the lag flags, the kick flags, the GFDT
# trajectory's length, the training trajectory's length, the perturbation flags.
run_system() {
  local tag=$1 sim=$2 lags=$3 kicks=$4 t_gfdt=$5 t_train=$6 pert=$7
  echo "== $tag" >&2
  local d="$WORK/$tag"
  mkdir -p "$d"
  local t0=$SECONDS
  # shellcheck disable=SC2086
  "$BIN" train $sim --t-end "$t_train" --seed 1 --out "$d/model.json" > "$d/train.json" 2> "$d/train.log"
  echo "   trained in $((SECONDS - t0)) s" >&2
  # shellcheck disable=SC2086
  "$BIN" response $sim $lags $kicks --estimator perturbation $pert --out "$d/perturbation.json"
  # shellcheck disable=SC2086
  "$BIN" response $sim $lags $kicks --t-end "$t_gfdt" --estimator gaussian --out "$d/gaussian.json"
  # shellcheck disable=SC2086
  "$BIN" response $sim $lags $kicks --t-end "$t_gfdt" --estimator score --model "$d/model.json" --out "$d/score.json"
  # shellcheck disable=SC2086
  "$BIN" response $sim $lags $kicks --t-end "$t_gfdt" --estimator score --model "$d/model.json" --normalize \
    --out "$d/score-normalized.json"
  # shellcheck disable=SC2086
  "$BIN" response $sim $lags $kicks --t-end "$t_gfdt" --estimator exact-score --out "$d/exact-score.json" 2>/dev/null \
    || rm -f "$d/exact-score.json"
  # shellcheck disable=SC2086
  "$BIN" response $sim $lags $kicks --estimator analytic --out "$d/analytic.json" 2>/dev/null || rm -f "$d/analytic.json"
  for f in "$d"/*.json; do
    case "$(basename "$f")" in train.json|model.json|perturbation.json|*.vs-*.json) continue ;; esac
    "$BIN" response-compare "$f" "$d/perturbation.json" > "${f%.json}.vs-perturbation.json"
    if [ -f "$d/analytic.json" ] && [ "$(basename "$f")" != analytic.json ]; then
      "$BIN" response-compare "$f" "$d/analytic.json" > "${f%.json}.vs-analytic.json"
    fi
  done
  if [ -f "$d/analytic.json" ]; then
    "$BIN" response-compare "$d/perturbation.json" "$d/analytic.json" > "$d/perturbation.vs-analytic.json"
  fi
  echo "   responses in $((SECONDS - t0)) s" >&2
}

run_system ou "--system OrnsteinUhlenbeck" "--tau-max 3 --tau-step 0.1" "" \
  "$(scale 50000 5000)" 20000 "--members $(scale 512 64)"
run_system double-well "--system DoubleWell --dt 0.01" "--tau-max 3 --tau-step 0.1" "" \
  "$(scale 100000 10000)" 20000 "--members $(scale 8000 500) --restart 2"
run_system allen-cahn "--system AllenCahn1D" "--tau-max 3 --tau-step 0.1" "--kick 0" \
  "$(scale 20000 2000)" 20000 "--members $(scale 2000 128) --restart 5"
run_system lorenz "--system Lorenz --noise 2 --every 5" "--tau-max 1.5 --tau-step 0.05" "--kick 0" \
  "$(scale 20000 2000)" 2000 "--members $(scale 100000 20000) --restart 2"

node scripts/response_report.mjs "$WORK" "$OUT" docs/response.md
echo "wrote docs/response.md and $OUT/" >&2
