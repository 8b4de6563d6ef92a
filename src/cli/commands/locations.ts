// `nalssi locations [--json] [--all] [--locations <file>]`: the configured forecast locations (id,
// name, position, KMA grid point, the ASOS station whose observations stand for it and how far it
// is); with --all also the 96 ASOS stations of the built-in catalog.
import type { Command } from "commander";
import { ASOS_STATIONS, stationByNumber } from "../../locations/asos-catalog.ts";
import { stationDistanceKm } from "../../locations/lookup.ts";
import { configuredLocations, withLocationsOption } from "../locations-config.ts";
import { renderTable } from "../table.ts";

interface LocationsOpts {
  json?: boolean;
  all?: boolean;
  locations?: string;
}

const km = (d: number | null) => (d === null ? null : Math.round(d * 10) / 10);

export function registerLocations(program: Command): void {
  withLocationsOption(
    program
      .command("locations")
      .description("list the configured forecast locations (--all: and the 96 KMA ASOS stations of the catalog)")
      .option("--json", "print JSON")
      .option("--all", "also list every ASOS station of the built-in catalog"),
  )
    .addHelpText("after", "\nEnvironment: NALSSI_LOCATIONS_FILE (a JSON file), LOCATIONS (JSON or a comma list such as seoul,busan,jeju).")
    .action((opts: LocationsOpts) => {
      const configured = configuredLocations(opts.locations);
      const rows = configured.map((l) => {
        const station = l.asosStationId === undefined ? undefined : stationByNumber(l.asosStationId);
        return {
          id: l.id,
          name: l.name,
          lat: l.lat,
          lon: l.lon,
          nx: l.nx,
          ny: l.ny,
          station: station ? { id: station.id, stn_id: station.stnId, distance_km: km(stationDistanceKm(l)) } : null,
        };
      });
      const catalog = ASOS_STATIONS.map((s) => ({
        id: s.id,
        stn_id: s.stnId,
        name: s.name,
        name_ko: s.nameKo,
        lat: s.lat,
        lon: s.lon,
        altitude_m: s.altitudeM,
        nx: s.nx,
        ny: s.ny,
        configured: configured.some((l) => l.id === s.id),
      }));
      if (opts.json) {
        console.log(JSON.stringify(opts.all ? { configured: rows, stations: catalog } : { configured: rows }, null, 2));
        return;
      }
      console.log(`${rows.length} configured location${rows.length === 1 ? "" : "s"}:`);
      const table = renderTable(
        [
          { header: "id" },
          { header: "name" },
          { header: "lat", align: "right" },
          { header: "lon", align: "right" },
          { header: "grid" },
          { header: "ASOS station" },
        ],
        rows.map((r) => [
          r.id,
          r.name,
          r.lat.toFixed(4),
          r.lon.toFixed(4),
          `${r.nx},${r.ny}`,
          r.station ? `${r.station.stn_id} ${r.station.id}${r.station.distance_km ? ` (${r.station.distance_km} km)` : ""}` : "-",
        ]),
      );
      for (const line of table) console.log(`  ${line}`);
      if (!opts.all) return;
      console.log(`\n${catalog.length} KMA ASOS stations (* configured):`);
      const stations = renderTable(
        [
          { header: "" },
          { header: "stn", align: "right" },
          { header: "id" },
          { header: "name" },
          { header: "lat", align: "right" },
          { header: "lon", align: "right" },
          { header: "alt m", align: "right" },
          { header: "grid" },
        ],
        catalog.map((s) => [
          s.configured ? "*" : "",
          String(s.stn_id),
          s.id,
          s.name,
          s.lat.toFixed(4),
          s.lon.toFixed(4),
          s.altitude_m.toFixed(1),
          `${s.nx},${s.ny}`,
        ]),
      );
      for (const line of stations) console.log(`  ${line}`);
    });
}
