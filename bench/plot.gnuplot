# SPDX-License-Identifier: BSD-3-Clause
# Plot scripts/bench.sh results: Mpps per class (best and median of the timed runs),
# instructions per packet (PMD part and application part, from callgrind) and, when
# results2 names the two-worker table, the two-worker total next to twice the 1-worker median.
# gnuplot -e "results='build-bench/results.tsv'; results2='build-bench/results-2w.tsv'; png='bench/results.png'" bench/plot.gnuplot
if (!exists("results")) results = 'build-bench/results.tsv'
if (!exists("png")) png = 'bench/results.png'
panels = exists("results2") ? 3 : 2
set terminal pngcairo size (panels == 3 ? 1500 : 1100),450 font ",10" noenhanced
set output png
set datafile separator "\t"
set datafile missing "-"
set key autotitle columnhead outside bottom center horizontal
set style data histograms
set style fill solid 0.85 border -1
set boxwidth 0.8
set grid ytics
set xtics rotate by -25
set yrange [0:*]
set multiplot layout 1,panels title "sipfastd, net_pcap replay (2-CPU VM; PMD cost included)"
set title "throughput per worker (log scale)"
set ylabel "Mpps"
set logscale y
set yrange [0.1:100]
set style histogram clustered gap 1
plot results using 2:xtic(1) title "best", '' using 3 title "median"
unset logscale y
set yrange [0:*]
set title "instructions per packet (callgrind)"
set ylabel "instructions / packet"
set style histogram rowstacked
plot results using 6:xtic(1) title "application", '' using 5 title "net_pcap PMD"
if (panels == 3) {
	set title "two workers, log scale (2nd shares a CPU with the main lcore)"
	set ylabel "Mpps"
	set logscale y
	set yrange [0.1:100]
	set style histogram clustered gap 1
	plot results2 using 4:xtic(1) title "2 workers, total", '' using ($5 * 2) title "2 x 1 worker"
}
unset multiplot
