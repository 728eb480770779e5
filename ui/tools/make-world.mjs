// Generates ui/assets/world-110m.txt: SVG path data of the world's land masses in an
// equirectangular projection (x = lon + 180, y = 90 - lat, so the world is 360 × 180
// units), rounded to 0.1. One `d` string per line (one per land polygon).
//
// Source: Natural Earth 1:110m land (public domain, https://www.naturalearthdata.com/),
// as TopoJSON from the `world-atlas` npm package (ISC), decoded with `topojson-client` (ISC).
//
// Usage (nothing is installed in the repo):
//   mkdir -p /tmp/worldgen && cd /tmp/worldgen && npm install world-atlas@2 topojson-client@3
//   NODE_PATH=/tmp/worldgen/node_modules node ui/tools/make-world.mjs /tmp/worldgen > ui/assets/world-110m.txt
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const base = process.argv[2] ?? "/tmp/worldgen";
const require = createRequire(join(base, "node_modules", "x.js"));
const topojson = require("topojson-client");
const topo = JSON.parse(readFileSync(join(base, "node_modules/world-atlas/land-110m.json"), "utf8"));
const land = topojson.feature(topo, topo.objects.land);

const r = (v) => (Math.round(v * 10) / 10).toString();

// Unwraps a ring so consecutive longitudes never jump by more than 180°, which keeps
// rings that cross the antimeridian in one piece (drawn twice, shifted by ±360).
function unwrap(ring) {
  const out = [];
  let prev = null;
  for (const [lon0, lat] of ring) {
    let lon = lon0;
    if (prev !== null) {
      while (lon - prev > 180) lon -= 360;
      while (prev - lon > 180) lon += 360;
    }
    out.push([lon, lat]);
    prev = lon;
  }
  // A ring around a pole (Antarctica) ends 360° from where it started: close it along the pole.
  const first = out[0], last = out[out.length - 1];
  if (Math.abs(last[0] - first[0]) > 180) {
    const pole = first[1] < 0 ? -90 : 90;
    out.push([last[0], pole], [first[0], pole]);
  }
  return out;
}

function ringPath(ring, shift) {
  let d = "";
  let px = null, py = null;
  ring.forEach(([lon, lat], i) => {
    const x = r(lon + 180 + shift), y = r(90 - lat);
    if (x === px && y === py) return; // drop points that round together
    d += (i === 0 ? "M" : "L") + x + " " + y;
    px = x; py = y;
  });
  return d + "Z";
}

const lines = [];
const polys = land.features.flatMap((f) =>
  f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates);
for (const poly of polys) {
  const rings = poly.map(unwrap);
  const lons = rings.flat().map(([lon]) => lon);
  const shifts = [0];
  if (Math.min(...lons) < -180) shifts.push(360);
  if (Math.max(...lons) > 180) shifts.push(-360);
  for (const s of shifts) lines.push(rings.map((ring) => ringPath(ring, s)).join(""));
}
process.stdout.write(lines.join("\n") + "\n");
