/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/tui/render.test.ts > TAP > a custom meter selection: order, short meters joining a line, the list taking the room > rates first, interval and states on the flows line 1`] = `
Rate   tx 9.9 MB/s  rx 20 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0
Flows  [                200/262k]  every 500ms                           PAUSED
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT    RATE▼
udp                 10.0.0.101           1125 192.0.2.208            80 299 kB/s
tcp     CLOSE_WAIT  10.0.0.63            1087 192.0.2.192            22 297 kB/s
udp                 10.0.0.164           1188 192.0.2.149          8080 296 kB/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443 294 kB/s
icmp                10.0.0.126            8/0 192.0.2.133          #126 293 kB/s
tcp     CLOSE_WAIT  10.0.0.88            1112 192.0.2.117            22 291 kB/s
tcp     FIN_WAIT    2001:db8::bd         1213 2001:db8:1::52b      8080 290 kB/s
tcp     ESTABLISHED 10.0.0.50            1074 192.0.2.101           443 288 kB/s
tcp     TIME_WAIT   10.0.0.151           1175 192.0.2.58             80 287 kB/s
tcp     SYN_SENT    10.0.0.12            1036 192.0.2.85             53 285 kB/s
tcp     CLOSE_WAIT  10.0.0.113           1137 192.0.2.42             22 285 kB/s
tcp     ESTABLISHED 10.0.0.75            1099 192.0.2.26            443 282 kB/s
tcp     TIME_WAIT   2001:db8::b0         1200 2001:db8:1::4d0        80 281 kB/s
tcp     SYN_SENT    10.0.0.37            1061 192.0.2.10             53 279 kB/s
tcp     CLOSE_WAIT  10.0.0.138           1162 192.0.2.217            22 278 kB/s
tcp     ESTABLISHED 10.0.0.100           1124 192.0.2.201           443 276 kB/s
tcp     SYN_SENT    10.0.0.62            1086 192.0.2.185            53 273 kB/s
tcp     CLOSE_WAIT  2001:db8::a3         1187 2001:db8:1::475        22 272 kB/s
udp                 10.0.0.24            1048 192.0.2.169          8080 270 kB/s
tcp     ESTABLISHED 10.0.0.125           1149 192.0.2.126           443 270 kB/s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-9:plain 10-17:bold 18-22:plain 23-29:bold 30-38:plain 39-41:bold 42-48:plain 49-49:bold 50-59:plain 60-60:bold 61-69:plain 70-70:bold 71-79:plain
1: 0-6:fg=6 7-23:plain 24-31:bold 32-40:plain 41-45:bold 46-72:plain 73-78:bold,fg=0,bg=3 79-79:plain
`

exports[`test/tui/render.test.ts > TAP > a custom meter selection: order, short meters joining a line, the list taking the room > states first, then source, protocols and flows 1`] = `
Source 2 servers: a 120 flows · b down                                                                           PAUSED
Proto  tcp 156  udp 29  icmp 14  icmpv6 1
Flows  [                              200/262k]
PROTO   STATE       SOURCE                     SPORT DESTINATION                DPORT     TX/s     RX/s    RATE▼     AGE
udp                 10.0.0.101                  1125 192.0.2.208                   80 100 kB/s 200 kB/s 299 kB/s   1m51s
tcp     CLOSE_WAIT  10.0.0.63                   1087 192.0.2.192                   22  99 kB/s 198 kB/s 297 kB/s   1m13s
udp                 10.0.0.164                  1188 192.0.2.149                 8080  99 kB/s 197 kB/s 296 kB/s   2m54s
tcp     ESTABLISHED 10.0.0.25                   1049 192.0.2.176                  443  98 kB/s 196 kB/s 294 kB/s     35s
icmp                10.0.0.126                   8/0 192.0.2.133                 #126  98 kB/s 196 kB/s 293 kB/s   2m16s
tcp     CLOSE_WAIT  10.0.0.88                   1112 192.0.2.117                   22  97 kB/s 194 kB/s 291 kB/s   1m38s
tcp     FIN_WAIT    2001:db8::bd                1213 2001:db8:1::52b             8080  97 kB/s 193 kB/s 290 kB/s   3m19s
tcp     ESTABLISHED 10.0.0.50                   1074 192.0.2.101                  443  96 kB/s 192 kB/s 288 kB/s   1m00s
tcp     TIME_WAIT   10.0.0.151                  1175 192.0.2.58                    80  96 kB/s 192 kB/s 287 kB/s   2m41s
tcp     SYN_SENT    10.0.0.12                   1036 192.0.2.85                    53  95 kB/s 190 kB/s 285 kB/s     22s
tcp     CLOSE_WAIT  10.0.0.113                  1137 192.0.2.42                    22  95 kB/s 190 kB/s 285 kB/s   2m03s
tcp     ESTABLISHED 10.0.0.75                   1099 192.0.2.26                   443  94 kB/s 188 kB/s 282 kB/s   1m25s
tcp     TIME_WAIT   2001:db8::b0                1200 2001:db8:1::4d0               80  94 kB/s 187 kB/s 281 kB/s   3m06s
tcp     SYN_SENT    10.0.0.37                   1061 192.0.2.10                    53  93 kB/s 186 kB/s 279 kB/s     47s
tcp     CLOSE_WAIT  10.0.0.138                  1162 192.0.2.217                   22  93 kB/s 186 kB/s 278 kB/s   2m28s
tcp     ESTABLISHED 10.0.0.100                  1124 192.0.2.201                  443  92 kB/s 184 kB/s 276 kB/s   1m50s
tcp     SYN_SENT    10.0.0.62                   1086 192.0.2.185                   53  91 kB/s 182 kB/s 273 kB/s   1m12s
tcp     CLOSE_WAIT  2001:db8::a3                1187 2001:db8:1::475               22  91 kB/s 182 kB/s 272 kB/s   2m53s
udp                 10.0.0.24                   1048 192.0.2.169                 8080  90 kB/s 180 kB/s 270 kB/s     34s
tcp     ESTABLISHED 10.0.0.125                  1149 192.0.2.126                  443  90 kB/s 180 kB/s 270 kB/s   2m15s
udp                 10.0.0.87                   1111 192.0.2.110                   53  89 kB/s 178 kB/s 267 kB/s   1m37s
tcp     CLOSE_WAIT  10.0.0.188                  1212 192.0.2.67                    22  89 kB/s 178 kB/s 266 kB/s   3m18s
icmp                10.0.0.49                    8/0 192.0.2.94                   #49  88 kB/s 176 kB/s 264 kB/s     59s
udp                 2001:db8::96                1174 2001:db8:1::41a              443  88 kB/s 176 kB/s 264 kB/s   2m40s
tcp     TIME_WAIT   10.0.0.11                   1035 192.0.2.78                    80  87 kB/s 174 kB/s 261 kB/s     21s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-37:bold,fg=6 38-112:plain 113-118:bold,fg=0,bg=3 119-119:plain
1: 0-6:fg=6 7-10:plain 11-13:bold 14-19:plain 20-21:bold 22-28:plain 29-30:bold 31-39:plain 40-40:bold 41-119:plain
`

exports[`test/tui/render.test.ts > TAP > a custom meter selection: order, short meters joining a line, the list taking the room > tcp states alone 1`] = `
TCP    CLOSE_WAIT 32  ESTABLISHED 31  FIN_WAIT 31  SYN_SENT 31  TIME_WAIT 31
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT    RATE▼
udp                 10.0.0.101           1125 192.0.2.208            80 299 kB/s
tcp     CLOSE_WAIT  10.0.0.63            1087 192.0.2.192            22 297 kB/s
udp                 10.0.0.164           1188 192.0.2.149          8080 296 kB/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443 294 kB/s
icmp                10.0.0.126            8/0 192.0.2.133          #126 293 kB/s
tcp     CLOSE_WAIT  10.0.0.88            1112 192.0.2.117            22 291 kB/s
tcp     FIN_WAIT    2001:db8::bd         1213 2001:db8:1::52b      8080 290 kB/s
tcp     ESTABLISHED 10.0.0.50            1074 192.0.2.101           443 288 kB/s
tcp     TIME_WAIT   10.0.0.151           1175 192.0.2.58             80 287 kB/s
tcp     SYN_SENT    10.0.0.12            1036 192.0.2.85             53 285 kB/s
tcp     CLOSE_WAIT  10.0.0.113           1137 192.0.2.42             22 285 kB/s
tcp     ESTABLISHED 10.0.0.75            1099 192.0.2.26            443 282 kB/s
tcp     TIME_WAIT   2001:db8::b0         1200 2001:db8:1::4d0        80 281 kB/s
tcp     SYN_SENT    10.0.0.37            1061 192.0.2.10             53 279 kB/s
tcp     CLOSE_WAIT  10.0.0.138           1162 192.0.2.217            22 278 kB/s
tcp     ESTABLISHED 10.0.0.100           1124 192.0.2.201           443 276 kB/s
tcp     SYN_SENT    10.0.0.62            1086 192.0.2.185            53 273 kB/s
tcp     CLOSE_WAIT  2001:db8::a3         1187 2001:db8:1::475        22 272 kB/s
udp                 10.0.0.24            1048 192.0.2.169          8080 270 kB/s
tcp     ESTABLISHED 10.0.0.125           1149 192.0.2.126           443 270 kB/s
udp                 10.0.0.87            1111 192.0.2.110            53 267 kB/s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-17:plain 18-19:bold 20-33:plain 34-35:bold 36-46:plain 47-48:bold 49-59:plain 60-61:bold 62-73:plain 74-75:bold 76-79:plain
1: 0-71:fg=0,bg=2 72-79:bold,fg=0,bg=6
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > detail 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
Flow details  Esc: back, Up/Down: other flows
Protocol     udp (17), ipv4
Original     10.0.0.101:1125 -> 192.0.2.208:80
Reply        192.0.2.208:80 -> 10.0.0.101:1125
NAT          none
State        -
Flags        confirmed
Timeout      201s
Counters     orig 400 pkts 200 kB, reply 666 pkts 399 kB
Rates        orig 100 kB/s 200 pkt/s, reply 200 kB/s 333 pkt/s
Age          1m51s (from the kernel timestamp), idle 0s
First seen   <time>
Last change  <time>
Started      <time>
Mark         0 (0x0)
Zone         0
Labels       -
Helper       -
Id           102
EscBack   F9Pause  F10Quit
--- attributes
23: 0-2:plain 3-8:fg=0,bg=6 9-11:plain 12-17:fg=0,bg=6 18-21:plain 22-27:fg=0,bg=6 28-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > filter error 1`] = `
Flows  [                300/262k]  replay synthetic.pcap                 FILTER
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT    RATE▼









                           no flow matches the filter







port: expected a port… ^
Filter: proto:tcp port:99999  Enter: apply  Esc: cancel
--- attributes
23: 0-7:fg=0,bg=3 8-27:plain 28-54:fg=8 55-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > group 1`] = `
Flows  [                300/262k]  replay synthetic.pcap                  GROUP
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
BY HOST                                         FLOWS    BYTES       RATE
192.0.2.1                                           2   479 kB   239 kB/s
192.0.2.10                                          2   995 kB   497 kB/s
192.0.2.106                                         2   704 kB   352 kB/s
192.0.2.113                                         2   199 kB    99 kB/s
192.0.2.127                                         2   389 kB   195 kB/s
192.0.2.134                                         2   484 kB   242 kB/s
192.0.2.148                                         2   674 kB   337 kB/s
192.0.2.15                                          2   669 kB   334 kB/s
192.0.2.155                                         2   769 kB   385 kB/s
192.0.2.162                                         2   864 kB   432 kB/s
192.0.2.169                                         2   959 kB   480 kB/s
192.0.2.17                                          2   490 kB   245 kB/s
192.0.2.176                                         2   1.1 MB   527 kB/s
192.0.2.183                                         2   549 kB   275 kB/s
192.0.2.190                                         2   644 kB   322 kB/s
192.0.2.197                                         2   139 kB    70 kB/s
192.0.2.204                                         2   234 kB   117 kB/s
192.0.2.218                                         2   424 kB   212 kB/s
EnterOpen   F5GroupBy EscBack   F9Pause  F10Quit
--- attributes
23: 0-4:plain 5-10:fg=0,bg=6 11-13:plain 14-20:fg=0,bg=6 21-24:plain 25-30:fg=0,bg=6 31-33:plain 34-39:fg=0,bg=6 40-43:plain 44-49:fg=0,bg=6 50-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > help 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
Help (Esc: back)
conntop: a live view of the Linux conntrack table

The flow list
  F1 ?               this help
  F2                 setup: columns, meters, theme, interval
  F3 /               search (F3 again: next match)
  Shift-F3           previous match
  F4 \\               filter: proto:tcp port:443 state:established !local ...
  F5 g               group by host, port, process, country, ASN, state
  F6                 choose the sort column
  < ,                sort by the column to the left
  > .                sort by the column to the right
  I                  invert the sort order
  F9 Space z         pause / resume the screen (the table keeps following)
  F10 q Ctrl-C       quit
  Enter              details of the selected flow
  Esc                clear the search
  n                  host names / addresses
F1Done   F10Quit
--- attributes
23: 0-1:plain 2-7:fg=0,bg=6 8-11:plain 12-17:fg=0,bg=6 18-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > paused and filtered 1`] = `
Flows  [                300/262k]  replay synthetic.pcap          PAUSED FILTER
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT    RATE▼
tcp     ESTABLISHED 10.0.1.9             1289 192.0.2.106           443 296 kB/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443 294 kB/s
udp                 10.0.1.34            1314 192.0.2.31            443 290 kB/s
tcp     ESTABLISHED 10.0.0.50            1074 192.0.2.101           443 288 kB/s
tcp     ESTABLISHED 10.0.0.75            1099 192.0.2.26            443 282 kB/s
tcp     ESTABLISHED 10.0.0.100           1124 192.0.2.201           443 276 kB/s
tcp     ESTABLISHED 10.0.0.125           1149 192.0.2.126           443 270 kB/s
udp                 2001:db8::96         1174 2001:db8:1::41a       443 264 kB/s
tcp     ESTABLISHED 10.0.0.175           1199 192.0.2.226           443 257 kB/s
tcp     ESTABLISHED 10.0.0.200           1224 192.0.2.151           443 251 kB/s
tcp     ESTABLISHED 10.0.0.250           1274 192.0.2.1             443 239 kB/s
udp                 10.0.0.10            1034 192.0.2.71            443 238 kB/s
tcp     ESTABLISHED 10.0.1.19            1299 192.0.2.176           443 233 kB/s
tcp     ESTABLISHED 10.0.0.35            1059 192.0.2.246           443 231 kB/s
tcp     ESTABLISHED 2001:db8::55         1109 2001:db8:1::253       443 219 kB/s
tcp     ESTABLISHED 10.0.0.110           1134 192.0.2.21            443 213 kB/s
tcp     ESTABLISHED 10.0.0.135           1159 192.0.2.196           443 207 kB/s
tcp     ESTABLISHED 10.0.0.160           1184 192.0.2.121           443 201 kB/s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit    filte…
--- attributes
23: 0-1:plain 2-7:fg=0,bg=6 8-10:plain 11-16:fg=0,bg=6 17-19:plain 20-25:fg=0,bg=6 26-28:plain 29-34:fg=0,bg=6 35-37:plain 38-43:fg=0,bg=6 44-46:plain 47-52:fg=0,bg=6 53-55:plain 56-61:fg=0,bg=6 62-65:plain 66-71:fg=0,bg=6 72-73:plain 74-79:fg=8
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > protocol menu 1`] = `
Flows  [                300/262k]  replay synthetic.pcap                  PROTO
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT    RATE▼
tcp     SYN_SENT    2001:db8::ca         1226 2001:db8:1::586        53 299 kB/s
tcp     CLOSE_WAIT  10.0.0.63            1087 192.0.2.192            22 297 kB/s
tcp     ESTABLISHED 10.0.1.9             1289 192.0.2.106           443 296 kB/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443 294 kB/s
icmp                10.0.0.126            8/0 192.0.2.133          #126 293 kB/s
tcp     CLOSE_WAIT  10.0.0.88            1112 192.0.2.117            22 291 kB/s
tcp     FIN_WAIT    2001:db8::bd         1213 2001:db8:1::52b      8080 290 kB/s
tcp     ESTABLISHED 10.0.0.50            1074 192.0.2.101           443 288 kB/s
tcp     TIME_WAIT   10.0.0.151           1175 192.0.2.58             80 287 kB/s
tcp     SYN_SENT    10.0.0.252           1276 192.0.2.15             53 287 kB/s
tcp     SYN_SENT    10.0.0.12            1036 192.0.2.85             53 285 kB/s
tcp     CLOSE_WAIT  10.0.0.113           1137 192.0.2.42             22 285 kB/s
icmp                10.0.0.214            8/0 192.0.2.249          #214 284 kB/s
tcp     ESTABLISHED 10.0.0.75            1099 192.0.2.26            443 282 kB/s
tcp     TIME_WAIT   2001:db8::b0         1200 2001:db8:1::4d0        80 281 kB/s
tcp     SYN_SENT    10.0.1.21            1301 192.0.2.190            53 281 kB/s
tcp     SYN_SENT    10.0.0.37            1061 192.0.2.10             53 279 kB/s
tcp     CLOSE_WAIT  10.0.0.138           1162 192.0.2.217            22 278 kB/s
Protocols: Ttcp+ Uudp- Ddccp+ Iicmp+ Ssctp+ Ggre+  Esc: done
--- attributes
23: 0-9:fg=0,bg=3 10-11:plain 12-15:fg=0,bg=6 16-17:plain 18-21:dim,fg=8 22-23:plain 24-28:fg=0,bg=6 29-30:plain 31-35:fg=0,bg=6 36-37:plain 38-42:fg=0,bg=6 43-44:plain 45-48:fg=0,bg=6 49-50:plain 51-59:fg=8 60-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > search 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT    RATE▼
tcp     SYN_SENT    10.0.0.37            1061 192.0.2.10             53 279 kB/s
tcp     CLOSE_WAIT  10.0.0.138           1162 192.0.2.217            22 278 kB/s
tcp     FIN_WAIT    10.0.0.239           1263 192.0.2.174          8080 278 kB/s
tcp     ESTABLISHED 10.0.0.100           1124 192.0.2.201           443 276 kB/s
tcp     TIME_WAIT   10.0.0.201           1225 192.0.2.158            80 275 kB/s
tcp     SYN_SENT    10.0.0.62            1086 192.0.2.185            53 273 kB/s
tcp     CLOSE_WAIT  2001:db8::a3         1187 2001:db8:1::475        22 272 kB/s
tcp     FIN_WAIT    10.0.1.8             1288 192.0.2.99           8080 272 kB/s
udp                 10.0.0.24            1048 192.0.2.169          8080 270 kB/s
tcp     ESTABLISHED 10.0.0.125           1149 192.0.2.126           443 270 kB/s
tcp     TIME_WAIT   10.0.0.226           1250 192.0.2.83             80 269 kB/s
udp                 10.0.0.87            1111 192.0.2.110            53 267 kB/s
tcp     CLOSE_WAIT  10.0.0.188           1212 192.0.2.67             22 266 kB/s
tcp     FIN_WAIT    10.0.1.33            1313 192.0.2.24           8080 266 kB/s
icmp                10.0.0.49             8/0 192.0.2.94            #49 264 kB/s
udp                 2001:db8::96         1174 2001:db8:1::41a       443 264 kB/s
tcp     TIME_WAIT   10.0.0.251           1275 192.0.2.8              80 263 kB/s
tcp     TIME_WAIT   10.0.0.11            1035 192.0.2.78             80 261 kB/s
Search: 192.0.2.7  F3: next  Esc: cancel
--- attributes
23: 0-7:fg=0,bg=3 8-16:plain 17-39:fg=8 40-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > setup 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
Setup  Space: show/hide  [ ]: move  + -: width  Left/Right: value  Esc: save an…
 [x] PROTO         width 7   protocol (tcp, udp, icmp, gre, or its number)
 [x] STATE         width 11  protocol state (TCP, SCTP, DCCP)
 [x] SOURCE        width 39  source address (or host name)
 [x] SPORT         width 7   source port (or service); ICMP type/code; GRE key
 [x] DESTINATION   width 39  destination address (or host name)
 [x] DPORT         width 7   destination port (or service); ICMP #id; GRE key
 [x] TX/s          width 8   bytes per second sent by the source
 [x] RX/s          width 8   bytes per second sent by the destination
 [x] RATE          width 8   bytes per second, both directions
 [x] AGE           width 7   time since the flow started
 [x] PROCESS       width 16  the local end's process; - no process (TIME_WAIT),…
 [ ] FAM           width 4   address family (ipv4, ipv6)
 [ ] NAT           width 24  translated ends from the reply tuple: S source aft…
 [ ] DIR           width 5   direction: out, in, fwd (forwarded), loc (local); …
 [ ] SERVICE       width 12  the service's name (server port)
 [ ] CC            width 2   remote end's country (ISO code)
 [ ] CITY          width 16  remote end's city
 [ ] ASN           width 8   remote end's autonomous system number
F2Done
--- attributes
23: 0-1:plain 2-7:fg=0,bg=6 8-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > sort menu 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 15 MB/s  rx 30 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
Sort by             SOURCE              SPORT DESTINATION         DPORT    RATE▼
 proto              10.0.0.101           1125 192.0.2.208            80 299 kB/s
 state              2001:db8::ca         1226 2001:db8:1::586        53 299 kB/s
 src                10.0.0.63            1087 192.0.2.192            22 297 kB/s
 sport              10.0.0.164           1188 192.0.2.149          8080 296 kB/s
 dst                10.0.1.9             1289 192.0.2.106           443 296 kB/s
 dport              10.0.0.25            1049 192.0.2.176           443 294 kB/s
 rateTx             10.0.0.126            8/0 192.0.2.133          #126 293 kB/s
 rateRx             10.0.0.227           1251 192.0.2.90             53 293 kB/s
 rate               10.0.0.88            1112 192.0.2.117            22 291 kB/s
 age                2001:db8::bd         1213 2001:db8:1::52b      8080 290 kB/s
 process            10.0.1.34            1314 192.0.2.31            443 290 kB/s
                    10.0.0.50            1074 192.0.2.101           443 288 kB/s
                    10.0.0.151           1175 192.0.2.58             80 287 kB/s
                    10.0.0.252           1276 192.0.2.15             53 287 kB/s
                    10.0.0.12            1036 192.0.2.85             53 285 kB/s
                    10.0.0.113           1137 192.0.2.42             22 285 kB/s
                    10.0.0.214            8/0 192.0.2.249          #214 284 kB/s
                    10.0.0.75            1099 192.0.2.26            443 282 kB/s
F6Sort   EscCancel F10Quit
--- attributes
23: 0-1:plain 2-7:fg=0,bg=6 8-11:plain 12-17:fg=0,bg=6 18-21:plain 22-27:fg=0,bg=6 28-79:plain
`

exports[`test/tui/render.test.ts > TAP > list at 120x40 > screen 1`] = `
Flows  [                              500/262k]  replay synthetic.pcap
Proto  tcp 390  udp 71  icmp 37  icmpv6 2
TCP    CLOSE_WAIT 78  ESTABLISHED 78  FIN_WAIT 78  SYN_SENT 78  TIME_WAIT 78
Rate   tx 25 MB/s  rx 50 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE                     SPORT DESTINATION                DPORT     TX/s     RX/s    RATE▼     AGE
udp                 10.0.0.101                  1125 192.0.2.208                   80 100 kB/s 200 kB/s 299 kB/s   1m51s
tcp     SYN_SENT    2001:db8::ca                1226 2001:db8:1::586               53 100 kB/s 199 kB/s 299 kB/s   3m32s
tcp     CLOSE_WAIT  10.0.1.47                   1327 192.0.2.122                   22  99 kB/s 199 kB/s 298 kB/s   5m13s
tcp     FIN_WAIT    10.0.1.148                  1428 192.0.2.79                  8080  99 kB/s 199 kB/s 298 kB/s   6m54s
tcp     CLOSE_WAIT  10.0.0.63                   1087 192.0.2.192                   22  99 kB/s 198 kB/s 297 kB/s   1m13s
udp                 10.0.0.164                  1188 192.0.2.149                 8080  99 kB/s 197 kB/s 296 kB/s   2m54s
tcp     ESTABLISHED 10.0.1.9                    1289 192.0.2.106                  443  99 kB/s 197 kB/s 296 kB/s   4m35s
tcp     TIME_WAIT   10.0.1.110                  1390 192.0.2.63                    80  98 kB/s 197 kB/s 295 kB/s   6m16s
icmp                10.0.1.211                   8/0 192.0.2.20                  #467  98 kB/s 196 kB/s 295 kB/s   7m57s
tcp     ESTABLISHED 10.0.0.25                   1049 192.0.2.176                  443  98 kB/s 196 kB/s 294 kB/s     35s
icmp                10.0.0.126                   8/0 192.0.2.133                 #126  98 kB/s 196 kB/s 293 kB/s   2m16s
udp                 10.0.0.227                  1251 192.0.2.90                    53  98 kB/s 195 kB/s 293 kB/s   3m57s
tcp     CLOSE_WAIT  10.0.1.72                   1352 192.0.2.47                    22  97 kB/s 195 kB/s 292 kB/s   5m38s
tcp     FIN_WAIT    10.0.1.173                  1453 192.0.2.4                   8080  97 kB/s 195 kB/s 292 kB/s   7m19s
tcp     CLOSE_WAIT  10.0.0.88                   1112 192.0.2.117                   22  97 kB/s 194 kB/s 291 kB/s   1m38s
tcp     FIN_WAIT    2001:db8::bd                1213 2001:db8:1::52b             8080  97 kB/s 193 kB/s 290 kB/s   3m19s
udp                 10.0.1.34                   1314 192.0.2.31                   443  97 kB/s 193 kB/s 290 kB/s   5m00s
tcp     TIME_WAIT   10.0.1.135                  1415 192.0.2.238                   80  96 kB/s 193 kB/s 289 kB/s   6m41s
tcp     SYN_SENT    10.0.1.236                  1516 192.0.2.195                   53  96 kB/s 192 kB/s 288 kB/s   8m22s
tcp     ESTABLISHED 10.0.0.50                   1074 192.0.2.101                  443  96 kB/s 192 kB/s 288 kB/s   1m00s
tcp     TIME_WAIT   10.0.0.151                  1175 192.0.2.58                    80  96 kB/s 192 kB/s 287 kB/s   2m41s
tcp     SYN_SENT    10.0.0.252                  1276 192.0.2.15                    53  96 kB/s 191 kB/s 287 kB/s   4m22s
udp                 10.0.1.97                   1377 192.0.2.222                   22  95 kB/s 191 kB/s 286 kB/s   6m03s
tcp     FIN_WAIT    10.0.1.198                  1478 192.0.2.179                 8080  95 kB/s 190 kB/s 286 kB/s   7m44s
tcp     SYN_SENT    10.0.0.12                   1036 192.0.2.85                    53  95 kB/s 190 kB/s 285 kB/s     22s
tcp     CLOSE_WAIT  10.0.0.113                  1137 192.0.2.42                    22  95 kB/s 190 kB/s 285 kB/s   2m03s
icmp                10.0.0.214                   8/0 192.0.2.249                 #214  95 kB/s 189 kB/s 284 kB/s   3m44s
tcp     ESTABLISHED 10.0.1.59                   1339 192.0.2.206                  443  94 kB/s 189 kB/s 283 kB/s   5m25s
udp                 10.0.1.160                  1440 192.0.2.163                   80  94 kB/s 189 kB/s 283 kB/s   7m06s
tcp     ESTABLISHED 10.0.0.75                   1099 192.0.2.26                   443  94 kB/s 188 kB/s 282 kB/s   1m25s
tcp     TIME_WAIT   2001:db8::b0                1200 2001:db8:1::4d0               80  94 kB/s 187 kB/s 281 kB/s   3m06s
tcp     SYN_SENT    10.0.1.21                   1301 192.0.2.190                   53  94 kB/s 187 kB/s 281 kB/s   4m47s
tcp     CLOSE_WAIT  10.0.1.122                  1402 192.0.2.147                   22  93 kB/s 187 kB/s 280 kB/s   6m28s
udp                 10.0.1.223                  1503 192.0.2.104                 8080  93 kB/s 186 kB/s 280 kB/s   8m09s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-37:plain 38-45:bold 46-48:plain 49-69:bold,fg=6 70-119:plain
4: 0-103:fg=0,bg=2 104-111:bold,fg=0,bg=6 112-119:fg=0,bg=2
5: 0-119:plain
7: 0-119:fg=0,bg=6
`

exports[`test/tui/render.test.ts > TAP > list at 200x60 > screen 1`] = `
Flows  [                              500/262k]  replay synthetic.pcap
Proto  tcp 390  udp 71  icmp 37  icmpv6 2
TCP    CLOSE_WAIT 78  ESTABLISHED 78  FIN_WAIT 78  SYN_SENT 78  TIME_WAIT 78
Rate   tx 25 MB/s  rx 50 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE                                    SPORT DESTINATION                               DPORT     TX/s     RX/s    RATE▼     AGE
udp                 10.0.0.101                                 1125 192.0.2.208                                  80 100 kB/s 200 kB/s 299 kB/s   1m51s
tcp     SYN_SENT    2001:db8::ca                               1226 2001:db8:1::586                              53 100 kB/s 199 kB/s 299 kB/s   3m32s
tcp     CLOSE_WAIT  10.0.1.47                                  1327 192.0.2.122                                  22  99 kB/s 199 kB/s 298 kB/s   5m13s
tcp     FIN_WAIT    10.0.1.148                                 1428 192.0.2.79                                 8080  99 kB/s 199 kB/s 298 kB/s   6m54s
tcp     CLOSE_WAIT  10.0.0.63                                  1087 192.0.2.192                                  22  99 kB/s 198 kB/s 297 kB/s   1m13s
udp                 10.0.0.164                                 1188 192.0.2.149                                8080  99 kB/s 197 kB/s 296 kB/s   2m54s
tcp     ESTABLISHED 10.0.1.9                                   1289 192.0.2.106                                 443  99 kB/s 197 kB/s 296 kB/s   4m35s
tcp     TIME_WAIT   10.0.1.110                                 1390 192.0.2.63                                   80  98 kB/s 197 kB/s 295 kB/s   6m16s
icmp                10.0.1.211                                  8/0 192.0.2.20                                 #467  98 kB/s 196 kB/s 295 kB/s   7m57s
tcp     ESTABLISHED 10.0.0.25                                  1049 192.0.2.176                                 443  98 kB/s 196 kB/s 294 kB/s     35s
icmp                10.0.0.126                                  8/0 192.0.2.133                                #126  98 kB/s 196 kB/s 293 kB/s   2m16s
udp                 10.0.0.227                                 1251 192.0.2.90                                   53  98 kB/s 195 kB/s 293 kB/s   3m57s
tcp     CLOSE_WAIT  10.0.1.72                                  1352 192.0.2.47                                   22  97 kB/s 195 kB/s 292 kB/s   5m38s
tcp     FIN_WAIT    10.0.1.173                                 1453 192.0.2.4                                  8080  97 kB/s 195 kB/s 292 kB/s   7m19s
tcp     CLOSE_WAIT  10.0.0.88                                  1112 192.0.2.117                                  22  97 kB/s 194 kB/s 291 kB/s   1m38s
tcp     FIN_WAIT    2001:db8::bd                               1213 2001:db8:1::52b                            8080  97 kB/s 193 kB/s 290 kB/s   3m19s
udp                 10.0.1.34                                  1314 192.0.2.31                                  443  97 kB/s 193 kB/s 290 kB/s   5m00s
tcp     TIME_WAIT   10.0.1.135                                 1415 192.0.2.238                                  80  96 kB/s 193 kB/s 289 kB/s   6m41s
tcp     SYN_SENT    10.0.1.236                                 1516 192.0.2.195                                  53  96 kB/s 192 kB/s 288 kB/s   8m22s
tcp     ESTABLISHED 10.0.0.50                                  1074 192.0.2.101                                 443  96 kB/s 192 kB/s 288 kB/s   1m00s
tcp     TIME_WAIT   10.0.0.151                                 1175 192.0.2.58                                   80  96 kB/s 192 kB/s 287 kB/s   2m41s
tcp     SYN_SENT    10.0.0.252                                 1276 192.0.2.15                                   53  96 kB/s 191 kB/s 287 kB/s   4m22s
udp                 10.0.1.97                                  1377 192.0.2.222                                  22  95 kB/s 191 kB/s 286 kB/s   6m03s
tcp     FIN_WAIT    10.0.1.198                                 1478 192.0.2.179                                8080  95 kB/s 190 kB/s 286 kB/s   7m44s
tcp     SYN_SENT    10.0.0.12                                  1036 192.0.2.85                                   53  95 kB/s 190 kB/s 285 kB/s     22s
tcp     CLOSE_WAIT  10.0.0.113                                 1137 192.0.2.42                                   22  95 kB/s 190 kB/s 285 kB/s   2m03s
icmp                10.0.0.214                                  8/0 192.0.2.249                                #214  95 kB/s 189 kB/s 284 kB/s   3m44s
tcp     ESTABLISHED 10.0.1.59                                  1339 192.0.2.206                                 443  94 kB/s 189 kB/s 283 kB/s   5m25s
udp                 10.0.1.160                                 1440 192.0.2.163                                  80  94 kB/s 189 kB/s 283 kB/s   7m06s
tcp     ESTABLISHED 10.0.0.75                                  1099 192.0.2.26                                  443  94 kB/s 188 kB/s 282 kB/s   1m25s
tcp     TIME_WAIT   2001:db8::b0                               1200 2001:db8:1::4d0                              80  94 kB/s 187 kB/s 281 kB/s   3m06s
tcp     SYN_SENT    10.0.1.21                                  1301 192.0.2.190                                  53  94 kB/s 187 kB/s 281 kB/s   4m47s
tcp     CLOSE_WAIT  10.0.1.122                                 1402 192.0.2.147                                  22  93 kB/s 187 kB/s 280 kB/s   6m28s
udp                 10.0.1.223                                 1503 192.0.2.104                                8080  93 kB/s 186 kB/s 280 kB/s   8m09s
tcp     SYN_SENT    10.0.0.37                                  1061 192.0.2.10                                   53  93 kB/s 186 kB/s 279 kB/s     47s
tcp     CLOSE_WAIT  10.0.0.138                                 1162 192.0.2.217                                  22  93 kB/s 186 kB/s 278 kB/s   2m28s
tcp     FIN_WAIT    10.0.0.239                                 1263 192.0.2.174                                8080  93 kB/s 185 kB/s 278 kB/s   4m09s
tcp     ESTABLISHED 10.0.1.84                                  1364 192.0.2.131                                 443  92 kB/s 185 kB/s 277 kB/s   5m50s
tcp     TIME_WAIT   10.0.1.185                                 1465 192.0.2.88                                   80  92 kB/s 185 kB/s 277 kB/s   7m31s
tcp     ESTABLISHED 10.0.0.100                                 1124 192.0.2.201                                 443  92 kB/s 184 kB/s 276 kB/s   1m50s
tcp     TIME_WAIT   10.0.0.201                                 1225 192.0.2.158                                  80  92 kB/s 183 kB/s 275 kB/s   3m31s
icmp                10.0.1.46                                   8/0 192.0.2.115                                #302  92 kB/s 183 kB/s 275 kB/s   5m12s
tcp     CLOSE_WAIT  10.0.1.147                                 1427 192.0.2.72                                   22  91 kB/s 183 kB/s 274 kB/s   6m53s
tcp     SYN_SENT    10.0.0.62                                  1086 192.0.2.185                                  53  91 kB/s 182 kB/s 273 kB/s   1m12s
tcp     CLOSE_WAIT  2001:db8::a3                               1187 2001:db8:1::475                              22  91 kB/s 182 kB/s 272 kB/s   2m53s
tcp     FIN_WAIT    10.0.1.8                                   1288 192.0.2.99                                 8080  91 kB/s 181 kB/s 272 kB/s   4m34s
tcp     ESTABLISHED 10.0.1.109                                 1389 192.0.2.56                                  443  90 kB/s 181 kB/s 271 kB/s   6m15s
tcp     TIME_WAIT   10.0.1.210                                 1490 192.0.2.13                                   80  90 kB/s 181 kB/s 271 kB/s   7m56s
udp                 10.0.0.24                                  1048 192.0.2.169                                8080  90 kB/s 180 kB/s 270 kB/s     34s
tcp     ESTABLISHED 10.0.0.125                                 1149 192.0.2.126                                 443  90 kB/s 180 kB/s 270 kB/s   2m15s
tcp     TIME_WAIT   10.0.0.226                                 1250 192.0.2.83                                   80  90 kB/s 179 kB/s 269 kB/s   3m56s
tcp     SYN_SENT    10.0.1.71                                  1351 192.0.2.40                                   53  90 kB/s 179 kB/s 269 kB/s   5m37s
tcp     CLOSE_WAIT  10.0.1.172                                 1452 192.0.2.247                                  22  89 kB/s 179 kB/s 268 kB/s   7m18s
udp                 10.0.0.87                                  1111 192.0.2.110                                  53  89 kB/s 178 kB/s 267 kB/s   1m37s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-37:plain 38-45:bold 46-48:plain 49-69:bold,fg=6 70-199:plain
4: 0-133:fg=0,bg=2 134-141:bold,fg=0,bg=6 142-199:fg=0,bg=2
5: 0-199:plain
7: 0-199:fg=0,bg=6
`

exports[`test/tui/render.test.ts > TAP > list at 80x24 > screen 1`] = `
Flows  [                500/262k]  replay synthetic.pcap
Proto  tcp 390  udp 71  icmp 37  icmpv6 2
TCP    CLOSE_WAIT 78  ESTABLISHED 78  FIN_WAIT 78  SYN_SENT 78  TIME_WAIT 78
Rate   tx 25 MB/s  rx 50 MB/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT    RATE▼
udp                 10.0.0.101           1125 192.0.2.208            80 299 kB/s
tcp     SYN_SENT    2001:db8::ca         1226 2001:db8:1::586        53 299 kB/s
tcp     CLOSE_WAIT  10.0.1.47            1327 192.0.2.122            22 298 kB/s
tcp     FIN_WAIT    10.0.1.148           1428 192.0.2.79           8080 298 kB/s
tcp     CLOSE_WAIT  10.0.0.63            1087 192.0.2.192            22 297 kB/s
udp                 10.0.0.164           1188 192.0.2.149          8080 296 kB/s
tcp     ESTABLISHED 10.0.1.9             1289 192.0.2.106           443 296 kB/s
tcp     TIME_WAIT   10.0.1.110           1390 192.0.2.63             80 295 kB/s
icmp                10.0.1.211            8/0 192.0.2.20           #467 295 kB/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443 294 kB/s
icmp                10.0.0.126            8/0 192.0.2.133          #126 293 kB/s
udp                 10.0.0.227           1251 192.0.2.90             53 293 kB/s
tcp     CLOSE_WAIT  10.0.1.72            1352 192.0.2.47             22 292 kB/s
tcp     FIN_WAIT    10.0.1.173           1453 192.0.2.4            8080 292 kB/s
tcp     CLOSE_WAIT  10.0.0.88            1112 192.0.2.117            22 291 kB/s
tcp     FIN_WAIT    2001:db8::bd         1213 2001:db8:1::52b      8080 290 kB/s
udp                 10.0.1.34            1314 192.0.2.31            443 290 kB/s
tcp     TIME_WAIT   10.0.1.135           1415 192.0.2.238            80 289 kB/s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-23:plain 24-31:bold 32-34:plain 35-55:bold,fg=6 56-79:plain
4: 0-71:fg=0,bg=2 72-79:bold,fg=0,bg=6
5: 0-79:plain
7: 0-79:fg=0,bg=6
`

exports[`test/tui/render.test.ts > TAP > narrow and short terminals drop columns and meters, never overflow > 30x8 1`] = `
Flows  [  100/262k]  replay …
PROTO   SOURCE
tcp     10.0.0.63
tcp     10.0.0.25
tcp     10.0.0.88
tcp     10.0.0.50
tcp     10.0.0.12
F1Help   F2Setup  F3Search
--- attributes
`

exports[`test/tui/render.test.ts > TAP > narrow and short terminals drop columns and meters, never overflow > 40x12 1`] = `
Flows  [   100/262k]  replay synthetic…
PROTO   SOURCE           DESTINATION
tcp     10.0.0.63        192.0.2.192
tcp     10.0.0.25        192.0.2.176
tcp     10.0.0.88        192.0.2.117
tcp     10.0.0.50        192.0.2.101
tcp     10.0.0.12        192.0.2.85
tcp     10.0.0.75        192.0.2.26
tcp     10.0.0.37        192.0.2.10
tcp     10.0.0.62        192.0.2.185
udp     10.0.0.24        192.0.2.169
F1Help   F2Setup  F3Search F4Filter
--- attributes
`

exports[`test/tui/render.test.ts > TAP > narrow and short terminals drop columns and meters, never overflow > 60x20 1`] = `
Flows  [          100/262k]  replay synthetic.pcap
Proto  tcp 78  udp 14  icmp 8
TCP    CLOSE_WAIT 16  FIN_WAIT 16  TIME_WAIT 16
Rate   tx 4.9 MB/s  rx 9.8 MB/s  events 0/s  lost 0
PROTO   STATE       SOURCE           DESTINATION       DPORT
tcp     CLOSE_WAIT  10.0.0.63        192.0.2.192          22
tcp     ESTABLISHED 10.0.0.25        192.0.2.176         443
tcp     CLOSE_WAIT  10.0.0.88        192.0.2.117          22
tcp     ESTABLISHED 10.0.0.50        192.0.2.101         443
tcp     SYN_SENT    10.0.0.12        192.0.2.85           53
tcp     ESTABLISHED 10.0.0.75        192.0.2.26          443
tcp     SYN_SENT    10.0.0.37        192.0.2.10           53
tcp     SYN_SENT    10.0.0.62        192.0.2.185          53
udp                 10.0.0.24        192.0.2.169        8080
udp                 10.0.0.87        192.0.2.110          53
icmp                10.0.0.49        192.0.2.94          #49
tcp     TIME_WAIT   10.0.0.11        192.0.2.78           80
tcp     FIN_WAIT    10.0.0.74        192.0.2.19         8080
tcp     TIME_WAIT   10.0.0.36        192.0.2.3            80
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy
--- attributes
`
