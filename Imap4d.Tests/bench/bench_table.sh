#!/usr/bin/env bash
# bench_table.sh SIZE(10k|100k) LABEL BIN KIND... [-- extra imapbench args]
# Corpora: $CORPUS_BASE10k and $CORPUS_BASE100k made by gen_corpus.py; users b10/b100 (peers.py adduser, password pass123).
# Needs root (peers.py). Markdown table of the results: bench_table_md.py SIZE LABEL.
# Full imapbench suite for each KIND (dovecot-maildir, imap4d-mh, ...) in sequence under /tmp/bench.lock.
# JSON and logs in /tmp/tables/SIZE/KIND-LABEL.json (.log).
set -u
SIZE=$1; LABEL=$2; BIN=$3; shift 3
KINDS=(); while [ $# -gt 0 ] && [ "$1" != -- ]; do KINDS+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
EXTRA=("$@")
case $SIZE in 10k) U=b10; P=14900;; 100k) U=b100; P=14950;; esac
OUT=/tmp/tables/$SIZE; mkdir -p $OUT
for K in "${KINDS[@]}"; do
  W=/tmp/tables/run-$SIZE-$K; rm -rf $W
  exec 9>/tmp/bench.lock; flock 9
  start=$(date +%s)
  if [[ $K == dovecot-* ]]; then
    python3 ${BENCH_DIR:-../shared/bench}/peers.py bench $K --port $P --user $U --password pass123 --corpus ${CORPUS_BASE:-/tmp/bench/corpus-}$SIZE \
      --workdir $W --json $OUT/$K-$LABEL.json -- --mem-conns 1,20 --mem-select corpus "${EXTRA[@]}" > $OUT/$K-$LABEL.log 2>&1
  else
    python3 ${BENCH_DIR:-../shared/bench}/peers.py bench $K --imap4d $BIN --label $LABEL-$K --port $P --user $U --password pass123 \
      --corpus ${CORPUS_BASE:-/tmp/bench/corpus-}$SIZE --workdir $W --json $OUT/$K-$LABEL.json -- --mem-conns 1,20 --mem-select corpus "${EXTRA[@]}" > $OUT/$K-$LABEL.log 2>&1
  fi
  echo "$K $LABEL rc=$? $(( $(date +%s) - start ))s" | tee -a $OUT/done.txt
  exec 9>&-
done
