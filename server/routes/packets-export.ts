/**
 * `GET /api/labs/:labId/microscope/packets.pcap`: the packets the open Packets view keeps, as a
 * pcap file that tcpdump and Wireshark open. Authorised as the file routes are (the lab's token
 * as `Authorization: Bearer`); at most PACKET_LIMITS.kept packets of PACKET_LIMITS.snapLength bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../wire/api-error.ts';
import { bearer, noLab, notAllowed, sendError } from '../http.ts';
import type { LabManager } from '../labs/manager.ts';
import { keptPackets } from '../microscope/packets-view.ts';
import { writePcap } from '../microscope/pcap.ts';

const ROUTE = /^\/api\/labs\/([^/?]+)\/microscope\/packets\.pcap(?:\?.*)?$/;

/** Answers the request when it is the export's route (returns true), else leaves it alone. */
export function handlePacketsExport(req: IncomingMessage, res: ServerResponse, labs: LabManager): boolean {
  const match = ROUTE.exec(req.url ?? '/');
  if (!match) return false;
  const lab = labs.authorize(match[1]!, bearer(req));
  if (!lab) {
    req.resume();
    sendError(res, noLab());
  } else if (req.method !== 'GET') notAllowed(req, res, 'GET', 'the packet export');
  else {
    const flow = keptPackets(lab.id);
    if (!flow?.header) {
      sendError(res, new ApiError(409, 'no-capture', 'No packets are being captured in this lab: open its Packets view (a microscope connection to .../microscope/packets), then export.'));
      return true;
    }
    const pcap = writePcap(flow.header, flow.kept());
    res.writeHead(200, {
      'Content-Type': 'application/vnd.tcpdump.pcap',
      'Content-Length': pcap.byteLength,
      'Content-Disposition': 'attachment; filename="socketlab-packets.pcap"',
      'Cache-Control': 'no-store',
    });
    res.end(pcap);
  }
  return true;
}
