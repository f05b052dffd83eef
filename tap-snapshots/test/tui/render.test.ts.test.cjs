/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > detail 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
Flow details  Esc: back, Up/Down: other flows
Protocol     udp (17), ipv4
Original     10.0.0.101:1125 -> 192.0.2.208:80
Reply        192.0.2.208:80 -> 10.0.0.101:1125
NAT          none
State        -
Flags        confirmed
Timeout      201s
Counters     orig 400 pkts 195K, reply 666 pkts 390K
Rates        orig 97K/s 200 pkt/s, reply 195K/s 333 pkt/s
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
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT   TOTAL▼









                           no flow matches the filter







                  ^ bad port: port:99999 (BAD_PORT, at 11)
Filter: proto:tcp port:99999  Enter: apply  Esc: cancel
--- attributes
23: 0-7:fg=0,bg=3 8-27:plain 28-54:fg=8 55-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > group 1`] = `
Flows  [                300/262k]  replay synthetic.pcap                  GROUP
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
BY HOST                                         FLOWS    BYTES       RATE
192.0.2.1                                           2     467K     234K/s
192.0.2.10                                          2     971K     486K/s
192.0.2.106                                         2     687K     344K/s
192.0.2.113                                         2     194K      97K/s
192.0.2.127                                         2     380K     190K/s
192.0.2.134                                         2     473K     236K/s
192.0.2.148                                         2     658K     329K/s
192.0.2.15                                          2     653K     326K/s
192.0.2.155                                         2     751K     376K/s
192.0.2.162                                         2     844K     422K/s
192.0.2.169                                         2     937K     468K/s
192.0.2.17                                          2     478K     239K/s
192.0.2.176                                         2     1.0M     515K/s
192.0.2.183                                         2     536K     268K/s
192.0.2.190                                         2     629K     315K/s
192.0.2.197                                         2     136K      68K/s
192.0.2.204                                         2     229K     114K/s
192.0.2.218                                         2     414K     207K/s
EnterOpen   F5GroupBy EscBack   F9Pause  F10Quit
--- attributes
23: 0-4:plain 5-10:fg=0,bg=6 11-13:plain 14-20:fg=0,bg=6 21-24:plain 25-30:fg=0,bg=6 31-33:plain 34-39:fg=0,bg=6 40-43:plain 44-49:fg=0,bg=6 50-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > help 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
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
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT   TOTAL▼
tcp     ESTABLISHED 10.0.1.9             1289 192.0.2.106           443   289K/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443   287K/s
udp                 10.0.1.34            1314 192.0.2.31            443   283K/s
tcp     ESTABLISHED 10.0.0.50            1074 192.0.2.101           443   281K/s
tcp     ESTABLISHED 10.0.0.75            1099 192.0.2.26            443   275K/s
tcp     ESTABLISHED 10.0.0.100           1124 192.0.2.201           443   269K/s
tcp     ESTABLISHED 10.0.0.125           1149 192.0.2.126           443   263K/s
udp                 2001:db8::96         1174 2001:db8:1::41a       443   257K/s
tcp     ESTABLISHED 10.0.0.175           1199 192.0.2.226           443   251K/s
tcp     ESTABLISHED 10.0.0.200           1224 192.0.2.151           443   246K/s
tcp     ESTABLISHED 10.0.0.250           1274 192.0.2.1             443   234K/s
udp                 10.0.0.10            1034 192.0.2.71            443   232K/s
tcp     ESTABLISHED 10.0.1.19            1299 192.0.2.176           443   228K/s
tcp     ESTABLISHED 10.0.0.35            1059 192.0.2.246           443   226K/s
tcp     ESTABLISHED 2001:db8::55         1109 2001:db8:1::253       443   214K/s
tcp     ESTABLISHED 10.0.0.110           1134 192.0.2.21            443   208K/s
tcp     ESTABLISHED 10.0.0.135           1159 192.0.2.196           443   202K/s
tcp     ESTABLISHED 10.0.0.160           1184 192.0.2.121           443   196K/s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit    filte…
--- attributes
23: 0-1:plain 2-7:fg=0,bg=6 8-10:plain 11-16:fg=0,bg=6 17-19:plain 20-25:fg=0,bg=6 26-28:plain 29-34:fg=0,bg=6 35-37:plain 38-43:fg=0,bg=6 44-46:plain 47-52:fg=0,bg=6 53-55:plain 56-61:fg=0,bg=6 62-65:plain 66-71:fg=0,bg=6 72-73:plain 74-79:fg=8
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > protocol menu 1`] = `
Flows  [                300/262k]  replay synthetic.pcap                  PROTO
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT   TOTAL▼
tcp     SYN_SENT    2001:db8::ca         1226 2001:db8:1::586        53   292K/s
tcp     CLOSE_WAIT  10.0.0.63            1087 192.0.2.192            22   290K/s
tcp     ESTABLISHED 10.0.1.9             1289 192.0.2.106           443   289K/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443   287K/s
icmp                10.0.0.126            8/0 192.0.2.133          #126   287K/s
tcp     CLOSE_WAIT  10.0.0.88            1112 192.0.2.117            22   284K/s
tcp     FIN_WAIT    2001:db8::bd         1213 2001:db8:1::52b      8080   283K/s
tcp     ESTABLISHED 10.0.0.50            1074 192.0.2.101           443   281K/s
tcp     TIME_WAIT   10.0.0.151           1175 192.0.2.58             80   281K/s
tcp     SYN_SENT    10.0.0.252           1276 192.0.2.15             53   280K/s
tcp     SYN_SENT    10.0.0.12            1036 192.0.2.85             53   278K/s
tcp     CLOSE_WAIT  10.0.0.113           1137 192.0.2.42             22   278K/s
icmp                10.0.0.214            8/0 192.0.2.249          #214   277K/s
tcp     ESTABLISHED 10.0.0.75            1099 192.0.2.26            443   275K/s
tcp     TIME_WAIT   2001:db8::b0         1200 2001:db8:1::4d0        80   275K/s
tcp     SYN_SENT    10.0.1.21            1301 192.0.2.190            53   274K/s
tcp     SYN_SENT    10.0.0.37            1061 192.0.2.10             53   272K/s
tcp     CLOSE_WAIT  10.0.0.138           1162 192.0.2.217            22   272K/s
Protocols: Ttcp+ Uudp- Ddccp+ Iicmp+ Ssctp+ Ggre+  Esc: done
--- attributes
23: 0-9:fg=0,bg=3 10-11:plain 12-15:fg=0,bg=6 16-17:plain 18-21:dim,fg=8 22-23:plain 24-28:fg=0,bg=6 29-30:plain 31-35:fg=0,bg=6 36-37:plain 38-42:fg=0,bg=6 43-44:plain 45-48:fg=0,bg=6 49-50:plain 51-59:fg=8 60-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > search 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT   TOTAL▼
tcp     SYN_SENT    10.0.0.37            1061 192.0.2.10             53   272K/s
tcp     CLOSE_WAIT  10.0.0.138           1162 192.0.2.217            22   272K/s
tcp     FIN_WAIT    10.0.0.239           1263 192.0.2.174          8080   271K/s
tcp     ESTABLISHED 10.0.0.100           1124 192.0.2.201           443   269K/s
tcp     TIME_WAIT   10.0.0.201           1225 192.0.2.158            80   269K/s
tcp     SYN_SENT    10.0.0.62            1086 192.0.2.185            53   267K/s
tcp     CLOSE_WAIT  2001:db8::a3         1187 2001:db8:1::475        22   266K/s
tcp     FIN_WAIT    10.0.1.8             1288 192.0.2.99           8080   265K/s
udp                 10.0.0.24            1048 192.0.2.169          8080   264K/s
tcp     ESTABLISHED 10.0.0.125           1149 192.0.2.126           443   263K/s
tcp     TIME_WAIT   10.0.0.226           1250 192.0.2.83             80   263K/s
udp                 10.0.0.87            1111 192.0.2.110            53   261K/s
tcp     CLOSE_WAIT  10.0.0.188           1212 192.0.2.67             22   260K/s
tcp     FIN_WAIT    10.0.1.33            1313 192.0.2.24           8080   260K/s
icmp                10.0.0.49             8/0 192.0.2.94            #49   258K/s
udp                 2001:db8::96         1174 2001:db8:1::41a       443   257K/s
tcp     TIME_WAIT   10.0.0.251           1275 192.0.2.8              80   257K/s
tcp     TIME_WAIT   10.0.0.11            1035 192.0.2.78             80   255K/s
Search: 192.0.2.7  F3: next  Esc: cancel
--- attributes
23: 0-7:fg=0,bg=3 8-16:plain 17-39:fg=8 40-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > setup 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
Setup  Space: show/hide  [ ]: move  + -: width  Left/Right: value  Esc: save an…
 [x] PROTO            proto     width 7
 [x] STATE            state     width 11
 [x] SOURCE           src       width 22
 [x] SPORT            sport     width 6
 [x] DESTINATION      dst       width 22
 [x] DPORT            dport     width 6
 [x] TX               tx        width 8
 [x] RX               rx        width 8
 [x] TOTAL            total     width 8
 [x] AGE              age       width 7
 [x] PROCESS          process   width 16
 [ ] PKTS             packets   width 6
 [ ] BYTES            bytes     width 6
 [ ] IDLE             idle      width 7
 [ ] TIMEOUT          timeout   width 7
 [ ] FLAGS            flags     width 5
 [ ] MARK             mark      width 8
 [ ] ZONE             zone      width 5
F2Done
--- attributes
23: 0-1:plain 2-7:fg=0,bg=6 8-79:plain
`

exports[`test/tui/render.test.ts > TAP > every mode at 80x24 > sort menu 1`] = `
Flows  [                300/262k]  replay synthetic.pcap
Proto  tcp 234  udp 43  icmp 21  icmpv6 2
TCP    FIN_WAIT 48  CLOSE_WAIT 47  SYN_SENT 47  ESTABLISHED 46  TIME_WAIT 46
Rate   tx 14M/s  rx 28M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
Sort by             SOURCE              SPORT DESTINATION         DPORT   TOTAL▼
 proto              10.0.0.101           1125 192.0.2.208            80   292K/s
 state              2001:db8::ca         1226 2001:db8:1::586        53   292K/s
 src                10.0.0.63            1087 192.0.2.192            22   290K/s
 sport              10.0.0.164           1188 192.0.2.149          8080   289K/s
 dst                10.0.1.9             1289 192.0.2.106           443   289K/s
 dport              10.0.0.25            1049 192.0.2.176           443   287K/s
 tx                 10.0.0.126            8/0 192.0.2.133          #126   287K/s
 rx                 10.0.0.227           1251 192.0.2.90             53   286K/s
 total              10.0.0.88            1112 192.0.2.117            22   284K/s
 age                2001:db8::bd         1213 2001:db8:1::52b      8080   283K/s
 process            10.0.1.34            1314 192.0.2.31            443   283K/s
                    10.0.0.50            1074 192.0.2.101           443   281K/s
                    10.0.0.151           1175 192.0.2.58             80   281K/s
                    10.0.0.252           1276 192.0.2.15             53   280K/s
                    10.0.0.12            1036 192.0.2.85             53   278K/s
                    10.0.0.113           1137 192.0.2.42             22   278K/s
                    10.0.0.214            8/0 192.0.2.249          #214   277K/s
                    10.0.0.75            1099 192.0.2.26            443   275K/s
F6Sort   EscCancel F10Quit
--- attributes
23: 0-1:plain 2-7:fg=0,bg=6 8-11:plain 12-17:fg=0,bg=6 18-21:plain 22-27:fg=0,bg=6 28-79:plain
`

exports[`test/tui/render.test.ts > TAP > list at 120x40 > screen 1`] = `
Flows  [                              500/262k]  replay synthetic.pcap
Proto  tcp 390  udp 71  icmp 37  icmpv6 2
TCP    CLOSE_WAIT 78  ESTABLISHED 78  FIN_WAIT 78  SYN_SENT 78  TIME_WAIT 78
Rate   tx 24M/s  rx 47M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE             SPORT DESTINATION       DPORT       TX       RX   TOTAL▼     AGE PROCESS
udp                 10.0.0.101          1125 192.0.2.208          80    97K/s   195K/s   292K/s   1m51s
tcp     SYN_SENT    2001:db8::ca        1226 2001:db8:1::586      53    97K/s   195K/s   292K/s   3m32s
tcp     CLOSE_WAIT  10.0.1.47           1327 192.0.2.122          22    97K/s   194K/s   291K/s   5m13s
tcp     FIN_WAIT    10.0.1.148          1428 192.0.2.79         8080    97K/s   194K/s   291K/s   6m54s
tcp     CLOSE_WAIT  10.0.0.63           1087 192.0.2.192          22    97K/s   193K/s   290K/s   1m13s
udp                 10.0.0.164          1188 192.0.2.149        8080    96K/s   193K/s   289K/s   2m54s
tcp     ESTABLISHED 10.0.1.9            1289 192.0.2.106         443    96K/s   192K/s   289K/s   4m35s
tcp     TIME_WAIT   10.0.1.110          1390 192.0.2.63           80    96K/s   192K/s   288K/s   6m16s
icmp                10.0.1.211           8/0 192.0.2.20         #467    96K/s   192K/s   288K/s   7m57s
tcp     ESTABLISHED 10.0.0.25           1049 192.0.2.176         443    96K/s   191K/s   287K/s     35s
icmp                10.0.0.126           8/0 192.0.2.133        #126    96K/s   191K/s   287K/s   2m16s
udp                 10.0.0.227          1251 192.0.2.90           53    95K/s   191K/s   286K/s   3m57s
tcp     CLOSE_WAIT  10.0.1.72           1352 192.0.2.47           22    95K/s   190K/s   285K/s   5m38s
tcp     FIN_WAIT    10.0.1.173          1453 192.0.2.4          8080    95K/s   190K/s   285K/s   7m19s
tcp     CLOSE_WAIT  10.0.0.88           1112 192.0.2.117          22    95K/s   189K/s   284K/s   1m38s
tcp     FIN_WAIT    2001:db8::bd        1213 2001:db8:1::52b    8080    94K/s   189K/s   283K/s   3m19s
udp                 10.0.1.34           1314 192.0.2.31          443    94K/s   188K/s   283K/s   5m00s
tcp     TIME_WAIT   10.0.1.135          1415 192.0.2.238          80    94K/s   188K/s   282K/s   6m41s
tcp     SYN_SENT    10.0.1.236          1516 192.0.2.195          53    94K/s   188K/s   282K/s   8m22s
tcp     ESTABLISHED 10.0.0.50           1074 192.0.2.101         443    94K/s   187K/s   281K/s   1m00s
tcp     TIME_WAIT   10.0.0.151          1175 192.0.2.58           80    94K/s   187K/s   281K/s   2m41s
tcp     SYN_SENT    10.0.0.252          1276 192.0.2.15           53    93K/s   187K/s   280K/s   4m22s
udp                 10.0.1.97           1377 192.0.2.222          22    93K/s   186K/s   280K/s   6m03s
tcp     FIN_WAIT    10.0.1.198          1478 192.0.2.179        8080    93K/s   186K/s   279K/s   7m44s
tcp     SYN_SENT    10.0.0.12           1036 192.0.2.85           53    93K/s   186K/s   278K/s     22s
tcp     CLOSE_WAIT  10.0.0.113          1137 192.0.2.42           22    93K/s   185K/s   278K/s   2m03s
icmp                10.0.0.214           8/0 192.0.2.249        #214    92K/s   185K/s   277K/s   3m44s
tcp     ESTABLISHED 10.0.1.59           1339 192.0.2.206         443    92K/s   185K/s   277K/s   5m25s
udp                 10.0.1.160          1440 192.0.2.163          80    92K/s   184K/s   276K/s   7m06s
tcp     ESTABLISHED 10.0.0.75           1099 192.0.2.26          443    92K/s   183K/s   275K/s   1m25s
tcp     TIME_WAIT   2001:db8::b0        1200 2001:db8:1::4d0      80    92K/s   183K/s   275K/s   3m06s
tcp     SYN_SENT    10.0.1.21           1301 192.0.2.190          53    91K/s   183K/s   274K/s   4m47s
tcp     CLOSE_WAIT  10.0.1.122          1402 192.0.2.147          22    91K/s   182K/s   274K/s   6m28s
udp                 10.0.1.223          1503 192.0.2.104        8080    91K/s   182K/s   273K/s   8m09s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-37:plain 38-45:bold 46-48:plain 49-69:bold,fg=6 70-119:plain
4: 0-86:fg=0,bg=2 87-94:bold,fg=0,bg=6 95-119:fg=0,bg=2
5: 0-68:plain 69-76:bold,fg=3 77-77:plain 78-85:bold,fg=3 86-86:plain 87-94:bold,fg=3 95-119:plain
7: 0-119:fg=0,bg=6
`

exports[`test/tui/render.test.ts > TAP > list at 200x60 > screen 1`] = `
Flows  [                              500/262k]  replay synthetic.pcap
Proto  tcp 390  udp 71  icmp 37  icmpv6 2
TCP    CLOSE_WAIT 78  ESTABLISHED 78  FIN_WAIT 78  SYN_SENT 78  TIME_WAIT 78
Rate   tx 24M/s  rx 47M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE                                   SPORT DESTINATION                              DPORT       TX       RX   TOTAL▼     AGE PROCESS
udp                 10.0.0.101                                1125 192.0.2.208                                 80    97K/s   195K/s   292K/s   1m51s
tcp     SYN_SENT    2001:db8::ca                              1226 2001:db8:1::586                             53    97K/s   195K/s   292K/s   3m32s
tcp     CLOSE_WAIT  10.0.1.47                                 1327 192.0.2.122                                 22    97K/s   194K/s   291K/s   5m13s
tcp     FIN_WAIT    10.0.1.148                                1428 192.0.2.79                                8080    97K/s   194K/s   291K/s   6m54s
tcp     CLOSE_WAIT  10.0.0.63                                 1087 192.0.2.192                                 22    97K/s   193K/s   290K/s   1m13s
udp                 10.0.0.164                                1188 192.0.2.149                               8080    96K/s   193K/s   289K/s   2m54s
tcp     ESTABLISHED 10.0.1.9                                  1289 192.0.2.106                                443    96K/s   192K/s   289K/s   4m35s
tcp     TIME_WAIT   10.0.1.110                                1390 192.0.2.63                                  80    96K/s   192K/s   288K/s   6m16s
icmp                10.0.1.211                                 8/0 192.0.2.20                                #467    96K/s   192K/s   288K/s   7m57s
tcp     ESTABLISHED 10.0.0.25                                 1049 192.0.2.176                                443    96K/s   191K/s   287K/s     35s
icmp                10.0.0.126                                 8/0 192.0.2.133                               #126    96K/s   191K/s   287K/s   2m16s
udp                 10.0.0.227                                1251 192.0.2.90                                  53    95K/s   191K/s   286K/s   3m57s
tcp     CLOSE_WAIT  10.0.1.72                                 1352 192.0.2.47                                  22    95K/s   190K/s   285K/s   5m38s
tcp     FIN_WAIT    10.0.1.173                                1453 192.0.2.4                                 8080    95K/s   190K/s   285K/s   7m19s
tcp     CLOSE_WAIT  10.0.0.88                                 1112 192.0.2.117                                 22    95K/s   189K/s   284K/s   1m38s
tcp     FIN_WAIT    2001:db8::bd                              1213 2001:db8:1::52b                           8080    94K/s   189K/s   283K/s   3m19s
udp                 10.0.1.34                                 1314 192.0.2.31                                 443    94K/s   188K/s   283K/s   5m00s
tcp     TIME_WAIT   10.0.1.135                                1415 192.0.2.238                                 80    94K/s   188K/s   282K/s   6m41s
tcp     SYN_SENT    10.0.1.236                                1516 192.0.2.195                                 53    94K/s   188K/s   282K/s   8m22s
tcp     ESTABLISHED 10.0.0.50                                 1074 192.0.2.101                                443    94K/s   187K/s   281K/s   1m00s
tcp     TIME_WAIT   10.0.0.151                                1175 192.0.2.58                                  80    94K/s   187K/s   281K/s   2m41s
tcp     SYN_SENT    10.0.0.252                                1276 192.0.2.15                                  53    93K/s   187K/s   280K/s   4m22s
udp                 10.0.1.97                                 1377 192.0.2.222                                 22    93K/s   186K/s   280K/s   6m03s
tcp     FIN_WAIT    10.0.1.198                                1478 192.0.2.179                               8080    93K/s   186K/s   279K/s   7m44s
tcp     SYN_SENT    10.0.0.12                                 1036 192.0.2.85                                  53    93K/s   186K/s   278K/s     22s
tcp     CLOSE_WAIT  10.0.0.113                                1137 192.0.2.42                                  22    93K/s   185K/s   278K/s   2m03s
icmp                10.0.0.214                                 8/0 192.0.2.249                               #214    92K/s   185K/s   277K/s   3m44s
tcp     ESTABLISHED 10.0.1.59                                 1339 192.0.2.206                                443    92K/s   185K/s   277K/s   5m25s
udp                 10.0.1.160                                1440 192.0.2.163                                 80    92K/s   184K/s   276K/s   7m06s
tcp     ESTABLISHED 10.0.0.75                                 1099 192.0.2.26                                 443    92K/s   183K/s   275K/s   1m25s
tcp     TIME_WAIT   2001:db8::b0                              1200 2001:db8:1::4d0                             80    92K/s   183K/s   275K/s   3m06s
tcp     SYN_SENT    10.0.1.21                                 1301 192.0.2.190                                 53    91K/s   183K/s   274K/s   4m47s
tcp     CLOSE_WAIT  10.0.1.122                                1402 192.0.2.147                                 22    91K/s   182K/s   274K/s   6m28s
udp                 10.0.1.223                                1503 192.0.2.104                               8080    91K/s   182K/s   273K/s   8m09s
tcp     SYN_SENT    10.0.0.37                                 1061 192.0.2.10                                  53    91K/s   182K/s   272K/s     47s
tcp     CLOSE_WAIT  10.0.0.138                                1162 192.0.2.217                                 22    91K/s   181K/s   272K/s   2m28s
tcp     FIN_WAIT    10.0.0.239                                1263 192.0.2.174                               8080    90K/s   181K/s   271K/s   4m09s
tcp     ESTABLISHED 10.0.1.84                                 1364 192.0.2.131                                443    90K/s   181K/s   271K/s   5m50s
tcp     TIME_WAIT   10.0.1.185                                1465 192.0.2.88                                  80    90K/s   180K/s   270K/s   7m31s
tcp     ESTABLISHED 10.0.0.100                                1124 192.0.2.201                                443    90K/s   179K/s   269K/s   1m50s
tcp     TIME_WAIT   10.0.0.201                                1225 192.0.2.158                                 80    90K/s   179K/s   269K/s   3m31s
icmp                10.0.1.46                                  8/0 192.0.2.115                               #302    89K/s   179K/s   268K/s   5m12s
tcp     CLOSE_WAIT  10.0.1.147                                1427 192.0.2.72                                  22    89K/s   178K/s   268K/s   6m53s
tcp     SYN_SENT    10.0.0.62                                 1086 192.0.2.185                                 53    89K/s   178K/s   267K/s   1m12s
tcp     CLOSE_WAIT  2001:db8::a3                              1187 2001:db8:1::475                             22    89K/s   177K/s   266K/s   2m53s
tcp     FIN_WAIT    10.0.1.8                                  1288 192.0.2.99                                8080    88K/s   177K/s   265K/s   4m34s
tcp     ESTABLISHED 10.0.1.109                                1389 192.0.2.56                                 443    88K/s   177K/s   265K/s   6m15s
tcp     TIME_WAIT   10.0.1.210                                1490 192.0.2.13                                  80    88K/s   176K/s   264K/s   7m56s
udp                 10.0.0.24                                 1048 192.0.2.169                               8080    88K/s   176K/s   264K/s     34s
tcp     ESTABLISHED 10.0.0.125                                1149 192.0.2.126                                443    88K/s   176K/s   263K/s   2m15s
tcp     TIME_WAIT   10.0.0.226                                1250 192.0.2.83                                  80    88K/s   175K/s   263K/s   3m56s
tcp     SYN_SENT    10.0.1.71                                 1351 192.0.2.40                                  53    87K/s   175K/s   262K/s   5m37s
tcp     CLOSE_WAIT  10.0.1.172                                1452 192.0.2.247                                 22    87K/s   174K/s   262K/s   7m18s
udp                 10.0.0.87                                 1111 192.0.2.110                                 53    87K/s   174K/s   261K/s   1m37s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-37:plain 38-45:bold 46-48:plain 49-69:bold,fg=6 70-199:plain
4: 0-131:fg=0,bg=2 132-139:bold,fg=0,bg=6 140-199:fg=0,bg=2
5: 0-113:plain 114-121:bold,fg=3 122-122:plain 123-130:bold,fg=3 131-131:plain 132-139:bold,fg=3 140-199:plain
7: 0-199:fg=0,bg=6
`

exports[`test/tui/render.test.ts > TAP > list at 80x24 > screen 1`] = `
Flows  [                500/262k]  replay synthetic.pcap
Proto  tcp 390  udp 71  icmp 37  icmpv6 2
TCP    CLOSE_WAIT 78  ESTABLISHED 78  FIN_WAIT 78  SYN_SENT 78  TIME_WAIT 78
Rate   tx 24M/s  rx 47M/s  events 0/s  lost 0  resyncs 0  ghosts 0  every 1s
PROTO   STATE       SOURCE              SPORT DESTINATION         DPORT   TOTAL▼
udp                 10.0.0.101           1125 192.0.2.208            80   292K/s
tcp     SYN_SENT    2001:db8::ca         1226 2001:db8:1::586        53   292K/s
tcp     CLOSE_WAIT  10.0.1.47            1327 192.0.2.122            22   291K/s
tcp     FIN_WAIT    10.0.1.148           1428 192.0.2.79           8080   291K/s
tcp     CLOSE_WAIT  10.0.0.63            1087 192.0.2.192            22   290K/s
udp                 10.0.0.164           1188 192.0.2.149          8080   289K/s
tcp     ESTABLISHED 10.0.1.9             1289 192.0.2.106           443   289K/s
tcp     TIME_WAIT   10.0.1.110           1390 192.0.2.63             80   288K/s
icmp                10.0.1.211            8/0 192.0.2.20           #467   288K/s
tcp     ESTABLISHED 10.0.0.25            1049 192.0.2.176           443   287K/s
icmp                10.0.0.126            8/0 192.0.2.133          #126   287K/s
udp                 10.0.0.227           1251 192.0.2.90             53   286K/s
tcp     CLOSE_WAIT  10.0.1.72            1352 192.0.2.47             22   285K/s
tcp     FIN_WAIT    10.0.1.173           1453 192.0.2.4            8080   285K/s
tcp     CLOSE_WAIT  10.0.0.88            1112 192.0.2.117            22   284K/s
tcp     FIN_WAIT    2001:db8::bd         1213 2001:db8:1::52b      8080   283K/s
udp                 10.0.1.34            1314 192.0.2.31            443   283K/s
tcp     TIME_WAIT   10.0.1.135           1415 192.0.2.238            80   282K/s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy F9Pause  F10Quit
--- attributes
0: 0-6:fg=6 7-23:plain 24-31:bold 32-34:plain 35-55:bold,fg=6 56-79:plain
4: 0-71:fg=0,bg=2 72-79:bold,fg=0,bg=6
5: 0-71:plain 72-79:bold,fg=3
7: 0-79:fg=0,bg=6
`

exports[`test/tui/render.test.ts > TAP > narrow and short terminals drop columns and meters, never overflow > 30x8 1`] = `
Flows  [  100/262k]  replay …
SOURCE
10.0.0.63
10.0.0.25
10.0.0.88
10.0.0.50
10.0.0.12
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
Rate   tx 4.7M/s  rx 9.3M/s  events 0/s  lost 0  resyncs 0
PROTO   SOURCE             DESTINATION        DPORT   TOTAL▼
tcp     10.0.0.63          192.0.2.192           22   290K/s
tcp     10.0.0.25          192.0.2.176          443   287K/s
tcp     10.0.0.88          192.0.2.117           22   284K/s
tcp     10.0.0.50          192.0.2.101          443   281K/s
tcp     10.0.0.12          192.0.2.85            53   278K/s
tcp     10.0.0.75          192.0.2.26           443   275K/s
tcp     10.0.0.37          192.0.2.10            53   272K/s
tcp     10.0.0.62          192.0.2.185           53   267K/s
udp     10.0.0.24          192.0.2.169         8080   264K/s
udp     10.0.0.87          192.0.2.110           53   261K/s
icmp    10.0.0.49          192.0.2.94           #49   258K/s
tcp     10.0.0.11          192.0.2.78            80   255K/s
tcp     10.0.0.74          192.0.2.19          8080   252K/s
tcp     10.0.0.36          192.0.2.3             80   249K/s
F1Help   F2Setup  F3Search F4Filter F5Group  F6SortBy
--- attributes
`
