"""The monitor engine, split by job (``aib-pilot monitor`` itself is commands/monitor.py):

* ``retry``          -- the poll schedule and the retry policy for Azure calls;
* ``template_watch`` -- one template's watch: status, log tail and save, diagnosis, result;
* ``fleet_loop``     -- the loop over one or many watches, the budget clock and interruption.

The live log's grouping per customizer is presentation and lives in report/live_groups.py.
"""
