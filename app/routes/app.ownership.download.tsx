import type { LoaderFunctionArgs } from "@remix-run/node";
import ExcelJS from "exceljs";
import { adminContext } from "../admin.server";
import { attachment } from "../content-disposition";
import { ownershipTable, ownershipView, toCsv } from "../ownership/ownership.server";
import { shopHandle } from "../shop-handle";

/** The ownership matrix as a file for the team's documentation (CSV or Excel). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db, shop } = await adminContext(request);
  const table = ownershipTable(await ownershipView(db));
  const name = `field-ownership-${shopHandle(shop)}`;
  if (new URL(request.url).searchParams.get("format") === "csv") {
    return new Response(toCsv(table), { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": attachment(`${name}.csv`) } });
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Field ownership", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.addRows(table);
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((column, i) => (column.width = [28, 10, 28, 34, 80][i]));
  const bytes = await workbook.xlsx.writeBuffer();
  return new Response(bytes, {
    headers: { "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Content-Disposition": attachment(`${name}.xlsx`) },
  });
};
