# Call Park for the Redmond site, as an administrator wrote it (with the usual mistakes).
Import-Module Lync
$pool = "redmond-fe01.contoso.com"
$service = "ApplicationServer:$pool"

New-CsCallParkOrbit -Identity "Redmond CPO 1" -NumberRangeStart "*3000" -NumberRangeEnd "*3099" `
    -CallParkService $service
New-CsCallParkOrbit -Iden "Redmond Pickup" -NumberRangeS "#4100" -NumberRangeE "#4199" -CallParkSer $service -Type GroupPickup
Set-CsCpsConfiguration -Identity global -CallPickupTimeoutThreshold 00:01:30 -MaxCallPickupAttempts 2 `
    -OnTimeoutURI "sip:operator@contoso.com"
New-CsCpsConfiguration -Identity site:Redmond -EnableMusicOnHold:$true
$moh = Get-Content -ReadCount 0 -Encoding Byte "C:\MoH\redmond.wma"
Set-CsCallParkServiceMusicOnHoldFile -Service "service:ApplicationServer:$pool" -Content $moh

Set-CsVoicePolicy -Identity Global -EnableCallPark $true
New-CsVoicePolicy -Identity "Lobby" -EnableCallPark $false -AllowSimulRing $false -PstnUsages @{add="Local"}
Grant-CsVoicePolicy -Identity "lobby-redmond@contoso.com" -PolicyName Lobby
Grant-CsVoicePolicy -Identity "Ken Myer" -PolicyName Lobby
Get-CsUser -OU "OU=Reception,DC=contoso,DC=com" | Grant-CsVoicePolicy -PolicyName Lobby

New-CsDialPlan -Identity site:Redmond -ExternalAccessPrefix 9 -OptimizeDeviceDialing $true -SimpleName RedmondSiteDialPlan
Remove-CsVoiceNormalizationRule -Identity "site:Redmond/Keep All"
New-CsVoiceNormalizationRule -Parent site:Redmond -Name "Redmond 4 digit" -Pattern '^([12]\d{3})$' -Translation "+1425555$1" -IsInternalExtension $true
New-CsVoiceNormalizationRule -Identity "site:Redmond/Orbits" -Pattern '^(\*3\d{3})$' -Translation '$1' -Priority 0
New-CsVoiceNormalizationRule -Identity 'site:Redmond/It''s 10 digit' -Pattern '^(\d{10})$' -Translation '+1$1'
New-CsVoiceNormalizationRule -Identity "site:Redmond/Typo" -P '^0$' -Translation '+14255550100'
New-CsDialPlan -Identity RedmondReception
New-CsVoiceNormalizationRule -Identity "RedmondReception/Operator" -Pattern '^0$' -Translation '+14255550100'
$params = @{ Identity = "Dublin CPO 1"; NumberRangeStart = 7000; NumberRangeEnd = 7099 }
New-CsCallParkOrbit @params
Write-Host "done"
New-CsVoiceRoute -Identity Route1 -PstnUsages @{add="Local"}
